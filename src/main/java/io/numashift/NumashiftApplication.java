package io.numashift;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The numashift service: jobs over HTTP, stored, dispatched to per-host agents. */
@OpenAPIDefinition(
        info = @Info(title = "numashift", description = "Moves the memory of running processes between NUMA nodes"),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class NumashiftApplication {
    public static void main(String[] args) {
        SpringApplication.run(NumashiftApplication.class, args);
    }

    /** The time of leases and records; tests replace it. */
    @Bean
    InstantSource clock() {
        return InstantSource.system();
    }
}

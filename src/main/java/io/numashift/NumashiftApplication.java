package io.numashift;

import io.numashift.agent.AgentMain;
import io.numashift.agent.Settings;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.time.Clock;
import java.time.Duration;
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
    /**
     * Runs the service, or with {@code --numashift.mode=agent} (or {@code NUMASHIFT_MODE=agent})
     * one host's agent: a plain Java program ({@link AgentMain}) that starts no application context.
     */
    public static void main(String[] args) {
        String mode = Settings.of(args).text("numashift.mode", "service");
        switch (mode) {
            case "agent" -> AgentMain.main(args);
            case "service" -> SpringApplication.run(NumashiftApplication.class, args);
            default -> {
                System.err.println("numashift: unknown numashift.mode '" + mode + "': use service or agent");
                System.exit(2);
            }
        }
    }

    /**
     * The time of leases and records, in microseconds: what both databases store, so that a job
     * answered at its submit shows the same times as when it is read again. Tests replace it.
     */
    @Bean
    InstantSource clock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }
}

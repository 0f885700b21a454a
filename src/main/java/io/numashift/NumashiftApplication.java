package io.numashift;

import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The numashift service: jobs over HTTP, stored, dispatched to per-host agents. */
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

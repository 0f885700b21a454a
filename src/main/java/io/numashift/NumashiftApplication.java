package io.numashift;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point. */
@SpringBootApplication
public class NumashiftApplication {
    public static void main(String[] args) {
        SpringApplication.run(NumashiftApplication.class, args);
    }
}

package io.numashift.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Keeps the migration core and the backends plain Java, the core free of its backends and of the
 * service, the Linux backend behind the backend interface (only the agent picks it), and the
 * service's domains free of their HTTP adapters.
 */
@AnalyzeClasses(packages = "io.numashift", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreAndSimulatedHostsArePlainJava = noClasses()
            .that()
            .resideInAnyPackage("io.numashift.core..", "io.numashift.sim..", "io.numashift.linux..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "org.springframework..",
                    "jakarta..",
                    "javax.persistence..",
                    "org.hibernate..",
                    "tools.jackson..",
                    "com.fasterxml..");

    @ArchTest
    static final ArchRule coreKnowsNoBackendImplementation = noClasses()
            .that()
            .resideInAPackage("io.numashift.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.numashift.sim..",
                    "io.numashift.linux..",
                    "io.numashift.jobs..",
                    "io.numashift.dispatch..",
                    "io.numashift.hosts..",
                    "io.numashift.agent..",
                    "io.numashift.security..",
                    "io.numashift.web..");

    @ArchTest
    static final ArchRule domainsKnowNoHttpAdapter = noClasses()
            .that()
            .resideInAnyPackage("io.numashift.jobs", "io.numashift.dispatch", "io.numashift.hosts")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.numashift.jobs.web..", "io.numashift.hosts.web..", "io.numashift.web..");

    @ArchTest
    static final ArchRule backendInterfaceDependsOnNothingElseOfTheProject = noClasses()
            .that()
            .resideInAPackage("io.numashift.core.backend..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.numashift.core", "io.numashift.sim..");

    @ArchTest
    static final ArchRule linuxBackendKnowsOnlyTheBackendInterface = classes()
            .that()
            .resideInAPackage("io.numashift.linux..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("io.numashift.linux..", "io.numashift.core.backend..", "java..", "org.jspecify..");

    @ArchTest
    static final ArchRule onlyTheAgentUsesTheLinuxBackend = noClasses()
            .that()
            .resideOutsideOfPackages("io.numashift.agent..", "io.numashift.linux..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.numashift.linux..");
}

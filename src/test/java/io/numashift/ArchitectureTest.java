package io.numashift;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The modules of docs/design.md, "Modules and what each may use", made executable.
 *
 * <ul>
 *   <li><b>App</b>: the root package {@code io.numashift} (the entry point, the embedded agents):
 *       may use everything.
 *   <li><b>Agent</b> ({@code agent..}): core, protocol and the backends; JDK, Jackson, SLF4J and
 *       logback, Bean Validation annotations; no Spring.
 *   <li><b>Service</b> ({@code jobs..}, {@code dispatch..}, {@code hosts..}, {@code security..},
 *       {@code web..}, {@code storage..}): protocol and core, never the agent or a backend.
 *   <li><b>Protocol</b> ({@code protocol..}): core alone, plus Jackson and Bean Validation
 *       annotations.
 *   <li><b>Core</b> ({@code core..}): nothing of the project outside core; plain Java.
 *   <li><b>Command line</b> ({@code cli..}): a client of the HTTP API, nothing of the project;
 *       JDK, picocli and Jackson; no Spring, so that it starts fast.
 *   <li><b>Backends</b> ({@code sim..}, {@code linux..}): core only; the Linux backend only the
 *       backend interface.
 * </ul>
 */
@AnalyzeClasses(packages = "io.numashift", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] SERVICE = {
        "io.numashift.jobs..",
        "io.numashift.dispatch..",
        "io.numashift.hosts..",
        "io.numashift.security..",
        "io.numashift.web..",
        "io.numashift.storage.."
    };

    @ArchTest
    static final ArchRule modules = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("App")
            .definedBy("io.numashift")
            .layer("Agent")
            .definedBy("io.numashift.agent..")
            .layer("Service")
            .definedBy(SERVICE)
            .layer("Protocol")
            .definedBy("io.numashift.protocol..")
            .layer("Core")
            .definedBy("io.numashift.core..")
            .layer("Backends")
            .definedBy("io.numashift.sim..", "io.numashift.linux..")
            .layer("Cli")
            .definedBy("io.numashift.cli..")
            .whereLayer("App")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Agent")
            .mayOnlyBeAccessedByLayers("App")
            .whereLayer("Service")
            .mayOnlyBeAccessedByLayers("App")
            .whereLayer("Protocol")
            .mayOnlyBeAccessedByLayers("App", "Agent", "Service")
            .whereLayer("Backends")
            .mayOnlyBeAccessedByLayers("App", "Agent")
            .whereLayer("Cli")
            .mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule theCommandLineIsAClientOfTheApiAlone = classes()
            .that()
            .resideInAPackage("io.numashift.cli..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("io.numashift.cli..", "java..", "picocli..", "tools.jackson..", "org.jspecify..");

    @ArchTest
    static final ArchRule theAgentUsesOnlyCoreProtocolBackendsAndPlainLibraries = classes()
            .that()
            .resideInAPackage("io.numashift.agent..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "io.numashift.agent..",
                    "io.numashift.core..",
                    "io.numashift.protocol..",
                    "io.numashift.sim..",
                    "io.numashift.linux..",
                    "java..",
                    "javax.annotation..",
                    "tools.jackson..",
                    "com.fasterxml.jackson.annotation..",
                    "org.slf4j..",
                    "ch.qos.logback..",
                    "jakarta.validation..",
                    "org.jspecify..");

    @ArchTest
    static final ArchRule theProtocolUsesOnlyCoreAndAnnotations = classes()
            .that()
            .resideInAPackage("io.numashift.protocol..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "io.numashift.protocol..",
                    "io.numashift.core..",
                    "java..",
                    "com.fasterxml.jackson.annotation..",
                    "tools.jackson.databind.annotation..",
                    "jakarta.validation..",
                    "org.jspecify..");

    @ArchTest
    static final ArchRule theServiceUsesNeitherTheAgentNorABackend = noClasses()
            .that()
            .resideInAnyPackage(SERVICE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.numashift.agent..", "io.numashift.sim..", "io.numashift.linux..");

    @ArchTest
    static final ArchRule coreUsesNothingOfTheProjectOutsideCore = noClasses()
            .that()
            .resideInAPackage("io.numashift.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.numashift",
                    "io.numashift.agent..",
                    "io.numashift.protocol..",
                    "io.numashift.sim..",
                    "io.numashift.linux..",
                    "io.numashift.jobs..",
                    "io.numashift.dispatch..",
                    "io.numashift.hosts..",
                    "io.numashift.security..",
                    "io.numashift.web..",
                    "io.numashift.storage..");

    @ArchTest
    static final ArchRule backendsUseOnlyCore = noClasses()
            .that()
            .resideInAnyPackage("io.numashift.sim..", "io.numashift.linux..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.numashift",
                    "io.numashift.agent..",
                    "io.numashift.protocol..",
                    "io.numashift.jobs..",
                    "io.numashift.dispatch..",
                    "io.numashift.hosts..",
                    "io.numashift.security..",
                    "io.numashift.web..",
                    "io.numashift.storage..");

    @ArchTest
    static final ArchRule oneBackendKnowsNothingOfTheOther = noClasses()
            .that()
            .resideInAPackage("io.numashift.sim..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.numashift.linux..")
            .orShould()
            .dependOnClassesThat()
            .resideInAPackage("io.numashift.agent..");

    @ArchTest
    static final ArchRule coreAndBackendsArePlainJava = noClasses()
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
    static final ArchRule theAgentAndTheProtocolKnowNoSpring = noClasses()
            .that()
            .resideInAnyPackage("io.numashift.agent..", "io.numashift.protocol..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework..", "io.swagger..", "org.springdoc..", "jakarta.persistence..");

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

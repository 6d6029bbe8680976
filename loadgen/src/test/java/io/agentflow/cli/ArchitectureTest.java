package io.agentflow.cli;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, held by the build (issue 19, docs/architecture.md). Every rule reads the compiled main
 * classes of codec, bus-core and the command line (not the test jars on this module's class path).
 */
class ArchitectureTest
{
    /**
     * Outside {@code io.agentflow.bus.observe} and the command line, the one class of bus-core that may name
     * OpenTelemetry: the settings, which take the application's SDK ({@code BusConfig.openTelemetry(sdk)}).
     */
    static final Set<String> OBSERVE_SETTINGS = Set.of("BusConfig");

    private static JavaClasses main;

    @BeforeAll
    static void importClasses()
    {
        main = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.agentflow");
    }

    @Test
    void noPackageDependsOnItselfInACircle()
    {
        slices().matching("io.agentflow.(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void theCodecKnowsNothingOfTheBusTheCommandLineOrTheirLibraries()
    {
        noClasses().that().resideInAPackage("io.agentflow.codec..")
            .should().dependOnClassesThat().resideInAnyPackage("io.agentflow.bus..", "io.agentflow.cli..", "io.nats..",
                "io.opentelemetry..", "io.prometheus..", "picocli..")
            .check(main);
    }

    @Test
    void jnatsIsUsedOnlyInTheJetStreamPackageByTheRawBaselineAndToStartTestServers()
    {
        noClasses().that().resideInAPackage("io.agentflow..")
            .and().resideOutsideOfPackage("io.agentflow.bus.jetstream..")
            .and().resideOutsideOfPackage("io.agentflow.testsupport..")
            .and().doNotHaveFullyQualifiedName("io.agentflow.cli.loadgen.RawJnatsLoadTransport")
            .should().dependOnClassesThat().resideInAPackage("io.nats..")
            .check(main);
    }

    @Test
    void openTelemetryAndPrometheusOnlyInObserveAndTheCommandLine()
    {
        noClasses().that().resideInAPackage("io.agentflow..")
            .and().resideOutsideOfPackages("io.agentflow.cli..", "io.agentflow.bus.observe..")
            .and(outside(OBSERVE_SETTINGS, "io.agentflow.bus"))
            .should().dependOnClassesThat().resideInAnyPackage("io.opentelemetry..", "io.prometheus..")
            .check(main);
    }

    @Test
    void noPublicTypeOfOursExposesAJnatsType()
    {
        classes().that().resideInAPackage("io.agentflow..").and().arePublic()
            .should(new ArchCondition<>("expose no io.nats type in a public signature")
            {
                @Override
                public void check(final JavaClass type, final ConditionEvents events)
                {
                    final List<String> leaks = new ArrayList<>();
                    type.getAllRawInterfaces().stream().filter(ArchitectureTest::isJnats)
                        .forEach(i -> leaks.add("implements " + i.getName()));
                    type.getRawSuperclass().filter(ArchitectureTest::isJnats)
                        .ifPresent(s -> leaks.add("extends " + s.getName()));
                    type.getCodeUnits().stream().filter(m -> m.getModifiers().contains(JavaModifier.PUBLIC))
                        .forEach(m ->
                        {
                            if (isJnats(m.getRawReturnType()))
                            {
                                leaks.add(m.getFullName() + " returns " + m.getRawReturnType().getName());
                            }
                            m.getRawParameterTypes().stream().filter(ArchitectureTest::isJnats)
                                .forEach(p -> leaks.add(m.getFullName() + " takes " + p.getName()));
                        });
                    type.getFields().stream().filter(f -> f.getModifiers().contains(JavaModifier.PUBLIC))
                        .map(JavaField::getRawType).filter(ArchitectureTest::isJnats)
                        .forEach(t -> leaks.add("public field of type " + t.getName()));
                    leaks.forEach(l -> events.add(SimpleConditionEvent.violated(type, type.getName() + ": " + l)));
                }
            })
            .check(main);
    }

    /** No main class over 400 lines (issue 19): a class that grows past it has taken on a second job. */
    @Test
    void noMainClassOver400Lines() throws java.io.IOException
    {
        final java.nio.file.Path root = java.nio.file.Path.of("..").toAbsolutePath().normalize();
        final List<String> tooLong = new ArrayList<>();
        for (final String module : List.of("codec", "bus-core", "loadgen", "jmh"))
        {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(
                root.resolve(module).resolve("src/main/java")))
            {
                for (final java.nio.file.Path f : files.filter(x -> x.toString().endsWith(".java")).toList())
                {
                    final String name = root.relativize(f).toString().replace('\\', '/');
                    final int lines = java.nio.file.Files.readAllLines(f).size();
                    if (lines > 400)
                    {
                        tooLong.add(name + " " + lines);
                    }
                }
            }
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), tooLong, "over 400 lines");
    }

    private static boolean isJnats(final JavaClass type)
    {
        return type.getPackageName().startsWith("io.nats");
    }

    /** @return classes not among {@code simpleNames} of {@code pkg} (nested classes go with their outer class). */
    private static DescribedPredicate<JavaClass> outside(final Set<String> simpleNames, final String pkg)
    {
        return DescribedPredicate.describe("outside " + pkg + "." + simpleNames, c ->
        {
            final String outer = c.getName().contains("$") ? c.getName().substring(0, c.getName().indexOf('$'))
                : c.getName();
            return !(c.getPackageName().equals(pkg) && simpleNames.contains(outer.substring(pkg.length() + 1)));
        });
    }
}

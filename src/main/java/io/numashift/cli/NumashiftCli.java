package io.numashift.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code numashift}, the command line (docs/cli.md): {@code submit}, {@code status}, {@code wait},
 * {@code cancel}, {@code retry}, {@code list} and {@code hosts}, each a client of the HTTP API.
 * Started by {@code bin/numashift}; the exit code says how the job ended or what kept the command
 * from its answer ({@link ExitCodes}).
 */
@Command(
        name = "numashift",
        mixinStandardHelpOptions = true,
        versionProvider = NumashiftCli.Version.class,
        description = "Moves the memory of running processes between NUMA nodes across a cluster.",
        subcommands = {
            SubmitCommand.class,
            EvacuateCommand.class,
            StatusCommand.class,
            WaitCommand.class,
            CancelCommand.class,
            RetryCommand.class,
            ListCommand.class,
            HostsCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "The service: --url, else $NUMASHIFT_URL, else http://localhost:8080. The token: $NUMASHIFT_TOKEN,"
                    + " else the file --token-file or $NUMASHIFT_TOKEN_FILE, else ~/.config/numashift/token.",
            "Exit codes: 0 succeeded, 1 failed, 2 partially failed, 3 cancelled, 4 timed out, 5 unknown host,"
                    + " 6 no such job, 64 usage, 65 conflict, 69 unreachable, 70 unexpected answer, 75 busy, 77 token."
        })
public final class NumashiftCli implements Runnable {
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    NumashiftCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command line and answers its exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new NumashiftCli(env, out, err));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.registerConverter(Duration.class, NumashiftCli::duration);
        cli.setParameterExceptionHandler((e, argv) -> {
            err.println("numashift: " + e.getMessage());
            err.println("Try 'numashift " + commandPath(e.getCommandLine()) + "--help'.");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException failure) {
                err.println("numashift: " + failure.getMessage());
                return failure.exitCode();
            }
            err.println("numashift: " + e);
            return ExitCodes.SOFTWARE;
        });
        return cli.execute(args);
    }

    private static String commandPath(CommandLine command) {
        String path = command.getCommandSpec().qualifiedName(" ");
        return path.equals("numashift") ? "" : path.substring("numashift ".length()) + " ";
    }

    @Override
    public void run() {
        new CommandLine(this).usage(out);
    }

    Map<String, String> env() {
        return env;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

    /** {@code 90}, {@code 90s}, {@code 500ms}, {@code 5m}, {@code 2h}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration (90s, 500ms, 5m, 2h)");
        }
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(value);
            case "m" -> Duration.ofMinutes(value);
            case "h" -> Duration.ofHours(value);
            default -> Duration.ofSeconds(value);
        };
    }

    /** The version of the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = NumashiftCli.class.getPackage().getImplementationVersion();
            return new String[] {"numashift " + (version == null ? "(development)" : version)};
        }
    }
}

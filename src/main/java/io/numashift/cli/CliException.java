package io.numashift.cli;

/** Ends the command with an exit code ({@link ExitCodes}) and a one-line message saying what to do. */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}

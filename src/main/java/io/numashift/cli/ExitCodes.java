package io.numashift.cli;

import tools.jackson.databind.JsonNode;

/**
 * The exit codes of {@code numashift} (docs/cli.md). A job's end: 0 succeeded, 1 failed, 2
 * partially failed, 3 cancelled; then what kept the command from its answer, with the codes of
 * {@code sysexits.h} where one fits.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int PARTIALLY_FAILED = 2;
    static final int CANCELLED = 3;
    /** {@code --timeout} passed before the job ended; the job goes on. */
    static final int TIMEOUT = 4;
    /** A host the service never saw (422 UNKNOWN_HOST), or {@code hosts NAME} of no such host. */
    static final int UNKNOWN_HOST = 5;
    /** No job of that id. */
    static final int NOT_FOUND = 6;
    /** Wrong arguments, or a request the service refused as invalid (400). */
    static final int USAGE = 64;
    /** The request conflicts with the job's state or with an earlier request of the same key (409). */
    static final int CONFLICT = 65;
    /** No URL answered. */
    static final int UNREACHABLE = 69;
    /** An answer the command does not understand (a 5xx, a body that is not the API's). */
    static final int SOFTWARE = 70;
    /** The service stayed too busy to answer (429). */
    static final int BUSY = 75;
    /** No token, an unknown token (401), or a token without the role (403). */
    static final int AUTH = 77;

    private ExitCodes() {}

    /** The exit code of a job (or task) state: its end, or 0 while it runs. */
    static int ofState(String state) {
        return switch (state) {
            case "FAILED" -> FAILED;
            case "PARTIALLY_FAILED" -> PARTIALLY_FAILED;
            case "CANCELLED" -> CANCELLED;
            default -> OK;
        };
    }

    static boolean terminal(String state) {
        return switch (state) {
            case "SUCCEEDED", "PARTIALLY_FAILED", "FAILED", "CANCELLED" -> true;
            default -> false;
        };
    }

    /** The exception for an answer of the service that is not a success. */
    static CliException ofProblem(int status, JsonNode problem) {
        String code = problem.path("code").asString("");
        String detail = problem.path("detail").asString(problem.path("title").asString("HTTP " + status));
        if (detail.isBlank()) {
            StringBuilder fields = new StringBuilder();
            for (JsonNode error : problem.path("errors")) {
                fields.append(fields.isEmpty() ? "" : "; ")
                        .append(error.path("field").asString())
                        .append(": ")
                        .append(error.path("message").asString());
            }
            detail = fields.toString();
        }
        return switch (status) {
            case 400 -> new CliException(USAGE, "the service refused the request: " + detail);
            case 401 ->
                new CliException(
                        AUTH,
                        "the service does not know this token: set NUMASHIFT_TOKEN or NUMASHIFT_TOKEN_FILE (or"
                                + " --token-file) to a token of this service");
            case 403 -> new CliException(AUTH, "this token may not do that (" + detail + "): use an operator token");
            case 404 -> new CliException(code.equals("HOST_NOT_FOUND") ? UNKNOWN_HOST : NOT_FOUND, detail);
            case 409 -> new CliException(CONFLICT, detail);
            case 422 ->
                new CliException(
                        code.equals("UNKNOWN_HOST") ? UNKNOWN_HOST : USAGE,
                        detail + " (numashift hosts lists the hosts the service knows)");
            case 429 -> new CliException(BUSY, "the service is busy: " + detail + "; try again in a moment");
            default -> new CliException(SOFTWARE, "the service answered " + status + ": " + detail);
        };
    }
}

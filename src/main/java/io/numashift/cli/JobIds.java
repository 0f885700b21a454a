package io.numashift.cli;

import java.util.regex.Pattern;

/** A job id as the user typed it, checked before it goes into a path. */
final class JobIds {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private JobIds() {}

    static String checked(String id) {
        if (!ID.matcher(id).matches()) {
            throw new CliException(ExitCodes.USAGE, "not a job id: '" + id + "' (numashift list shows the jobs)");
        }
        return id;
    }
}

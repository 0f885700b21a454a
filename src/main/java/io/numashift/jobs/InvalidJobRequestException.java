package io.numashift.jobs;

/**
 * A job whose request breaks a rule that only the hosts can tell (its range is not aligned to a
 * target host's page size): {@code 400 EINVAL} naming the field; nothing is stored.
 */
public class InvalidJobRequestException extends RuntimeException {
    private final String field;

    public InvalidJobRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

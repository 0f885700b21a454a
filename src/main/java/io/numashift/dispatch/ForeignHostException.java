package io.numashift.dispatch;

/** An agent token used for a host it does not name (code {@code EPERM}). */
public class ForeignHostException extends RuntimeException {
    public ForeignHostException(String host) {
        super("this token may not serve host " + (host.length() > 64 ? host.substring(0, 64) + "…" : host));
    }
}

package io.numashift.sim;

import java.util.concurrent.locks.LockSupport;

/** The time that paces simulated page copies; tests supply one that does not wait. */
public interface PaceClock {
    /** The system's monotonic clock, waiting for real. */
    PaceClock SYSTEM = new PaceClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) {
            LockSupport.parkNanos(nanos);
        }
    };

    /** A monotonic time in nanoseconds. */
    long nanoTime();

    /** Waits about this long. */
    void sleepNanos(long nanos);
}

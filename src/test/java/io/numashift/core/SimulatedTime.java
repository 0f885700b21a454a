package io.numashift.core;

import io.numashift.sim.PaceClock;

/**
 * Simulated time for a host and an engine to share: a wait moves it on at once; {@code tick} is
 * added at every read, for the time that computing itself would take.
 */
final class SimulatedTime implements PaceClock {
    private final long tick;
    long now;

    SimulatedTime(long tick) {
        this.tick = tick;
    }

    @Override
    public long nanoTime() {
        now += tick;
        return now;
    }

    @Override
    public void sleepNanos(long nanos) {
        now += nanos;
    }
}

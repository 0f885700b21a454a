package io.numashift.core.backend;

import java.math.BigInteger;

/**
 * The content digest that {@link NumaBackend#digest} returns: a sum over a set of pages of one
 * term per page that mixes its address and its content, {@code address × a + content × c +
 * address × content × p}, so that a page that goes missing (content 0) or two pages that swap
 * contents change the sum. Digests are compared only within one host, and each backend keeps the
 * weights it always had, so that its digests stay what they were: {@link #SIMULATED} and {@link
 * #LINUX}.
 *
 * @param addressWeight {@code a}
 * @param contentWeight {@code c}
 * @param productWeight {@code p}
 */
public record PageDigest(long addressWeight, long contentWeight, long productWeight) {
    /** The weights of simulated hosts. */
    public static final PageDigest SIMULATED =
            new PageDigest(0xD1B54A32D192ED03L, 0xABC98388FB8FAC03L, 0x8CB92BA72F3D8DD7L);

    /** The weights of the Linux backend. */
    public static final PageDigest LINUX =
            new PageDigest(0xA0761D6478BD642FL, 0xE7037ED1A0B428DBL, 0xD6E8FEB86659FD93L);

    private static final long WORDS_SEED = 0x243F6A8885A308D3L;
    private static final long WORDS_MULTIPLIER = 0xD6E8FEB86659FD93L;

    /** One page's share of a digest. */
    public long term(long address, long content) {
        return address * addressWeight + content * contentWeight + address * content * productWeight;
    }

    /**
     * The sum of the terms of {@code count} consecutive pages whose addresses and contents both grow
     * by a constant step, in closed form (sums of i and i²), so that a run costs O(1).
     */
    public long run(long address, long addressStep, long content, long contentStep, long count) {
        BigInteger n = BigInteger.valueOf(count);
        long sumI = n.multiply(n.subtract(BigInteger.ONE)).shiftRight(1).longValue();
        long sumI2 = n.subtract(BigInteger.ONE)
                .multiply(n)
                .multiply(n.shiftLeft(1).subtract(BigInteger.ONE))
                .divide(BigInteger.valueOf(6))
                .longValue();
        long sumAddress = count * address + addressStep * sumI;
        long sumContent = count * content + contentStep * sumI;
        long sumProduct = count * address * content
                + (address * contentStep + addressStep * content) * sumI
                + addressStep * contentStep * sumI2;
        return sumAddress * addressWeight + sumContent * contentWeight + sumProduct * productWeight;
    }

    /** A hash of the words of a page's content; never 0, which stands for a page that is absent. */
    public static long contentHash(long[] words) {
        long h = WORDS_SEED;
        for (long word : words) {
            h = Long.rotateLeft(h ^ word, 27) * WORDS_MULTIPLIER;
        }
        h = mix(h);
        return h == 0 ? 1 : h;
    }

    /** A 64-bit mixing function (SplitMix64's finalizer). */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

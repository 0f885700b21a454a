package io.numashift.core.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The digest's values, pinned to what the two backends computed before they shared this class. */
class PageDigestTest {

    @Test
    void termsKeepTheValuesOfEachBackend() {
        assertThat(PageDigest.SIMULATED.term(0x10000000L, 0x1234_5678_9abc_def1L))
                .isEqualTo(0xa1270ae6299f88d3L);
        assertThat(PageDigest.SIMULATED.term(0x7f0000001000L, 0)).isEqualTo(0x3837aa192ed03000L);
        assertThat(PageDigest.SIMULATED.term(0x7ffff000L, -1L)).isEqualTo(0x637871e7ae7d93fdL);
        assertThat(PageDigest.LINUX.term(0x10000000L, 0x1234_5678_9abc_def1L)).isEqualTo(0xc3c0339763dc602bL);
        assertThat(PageDigest.LINUX.term(0x7f0000001000L, 0)).isEqualTo(0x5689988bd642f000L);
        assertThat(PageDigest.LINUX.term(0x7ffff000L, -1L)).isEqualTo(0x5043735628e21725L);
    }

    @Test
    void mixIsSplitMix64sFinalizer() {
        assertThat(PageDigest.mix(0)).isZero();
        assertThat(PageDigest.mix(1)).isEqualTo(0x5692161d100b05e5L);
        assertThat(PageDigest.mix(0x243F6A8885A308D3L)).isEqualTo(0xe9e0033e3badaf36L);
        assertThat(PageDigest.mix(-7)).isEqualTo(0xdb9c3218f1acf6f3L);
    }

    @Test
    void contentHashOfAPageKeepsItsValues() {
        long[] zeros = new long[512];
        long[] counting = new long[512];
        long[] spread = new long[512];
        for (int i = 0; i < 512; i++) {
            counting[i] = i;
            spread[i] = i * 0x9E3779B97F4A7C15L;
        }
        assertThat(PageDigest.contentHash(zeros)).isEqualTo(0xe2e3d6aba2070f25L);
        assertThat(PageDigest.contentHash(counting)).isEqualTo(0x58b0a803814246L);
        assertThat(PageDigest.contentHash(spread)).isEqualTo(0x27cb9dc1eb785a4aL);
    }

    @Test
    void closedFormOfARunEqualsTheSumOfItsTermsAndKeepsItsValue() {
        long address = 0x7f0000001000L;
        long content = 0x1234_5678_9abc_def1L;
        long step = 0x9E3779B97F4A7C15L;
        for (PageDigest digest : new PageDigest[] {PageDigest.SIMULATED, PageDigest.LINUX}) {
            for (long count : new long[] {1, 2, 3, 7, 64, 1000, 65_536}) {
                long expected = 0;
                for (long p = 0; p < count; p++) {
                    expected += digest.term(address + p * 4096, content + p * step);
                }
                assertThat(digest.run(address, 4096, content, step, count))
                        .as("count %d", count)
                        .isEqualTo(expected);
            }
        }
        assertThat(PageDigest.SIMULATED.run(address, 4096, content, step, 65_537))
                .isEqualTo(0xb130ea2788f8a8d3L);
    }
}

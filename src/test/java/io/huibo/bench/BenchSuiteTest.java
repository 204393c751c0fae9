package io.huibo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSuiteTest {
    private static final BenchSuite.Row MET = new BenchSuite.Row("queue scale", "claim 1", "0.2 ms", "<= 2x", true);
    private static final BenchSuite.Row MISSED = new BenchSuite.Row("dispatch", "lag p99", "224 ms", "<= 100 ms", false);
    private static final BenchSuite.Row NO_TARGET = new BenchSuite.Row("dispatch", "CPU", "1 ms", "-", null);
    private static final BenchSuite.Row ERROR = new BenchSuite.Row("error", "FastAGI", "refused", "runs", false);

    @Test
    void aMissedTargetMakesTheRunFailSoThatAScriptCanTell() {
        assertThat(BenchSuite.exitCode(List.of(MET, NO_TARGET), false)).isZero();
        assertThat(BenchSuite.exitCode(List.of(MET, MISSED, NO_TARGET), false)).isEqualTo(BenchSuite.TARGET_MISSED);
    }

    @Test
    void aFailedBenchmarkIsAnErrorWhateverTheSize() {
        assertThat(BenchSuite.exitCode(List.of(MET, ERROR), false)).isEqualTo(1);
        assertThat(BenchSuite.exitCode(List.of(MET, ERROR), true)).isEqualTo(1);
    }

    @Test
    void smokeSizesOnlyCheckThatEveryBenchmarkRuns() {
        assertThat(BenchSuite.exitCode(List.of(MET, MISSED), true)).isZero();
    }
}

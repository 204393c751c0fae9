package io.huibo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every benchmark of scripts/bench, at smoke size, so none of them rots: the suite starts the real
 * processes from huibo.jar and must produce every figure (whether targets are met is the real
 * run's business, not this test's); each JMH benchmark runs one short iteration. It takes over a
 * minute, so {@code scripts/bench --smoke} runs it, not scripts/test.
 */
@Tag("bench")
class BenchSmokeIT {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void suiteProducesEveryFigure(@TempDir Path dir) throws Exception {
        BenchSuite suite = new BenchSuite();
        suite.jar = Path.of(System.getProperty("huibo.jar", "target/huibo.jar"));
        suite.smoke = true;
        suite.out = dir.resolve("benchmarks.md");
        suite.command = "BenchSmokeIT";
        int rc = suite.call();

        List<BenchSuite.Row> rows = suite.rows();
        assertThat(rows).filteredOn(r -> r.bench().equals("error")).isEmpty();
        assertThat(rc).isZero();
        assertThat(rows).extracting(BenchSuite.Row::bench)
                .contains("durable accept", "FastAGI", "dispatch", "footprint", "queue scale");
        // every figure is a number that was measured
        for (BenchSuite.Row r : rows) {
            assertThat(r.value()).as(r.figure()).containsPattern("[0-9]");
        }
        assertThat(rows).filteredOn(r -> r.figure().startsWith("same decision")).singleElement()
                .satisfies(r -> assertThat(r.value()).contains("HUIBO_DIAL_1=PJSIP/"));
        String md = Files.readString(suite.out);
        assertThat(md).contains("| benchmark | figure | result | target | pass |", "CPU used in each measured window",
                "loadgen", "huibo");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void microBenchmarksRun() throws Exception {
        var opts = new OptionsBuilder()
                .include("io\\.huibo\\.bench\\.(AgiSessionBench|AmiEventBench|ClaimBench)\\..*")
                .param("batch", "1")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .build();
        var results = new Runner(opts).run();
        assertThat(results).extracting(r -> r.getParams().getBenchmark())
                .anyMatch(b -> b.endsWith("AgiSessionBench.session"))
                .anyMatch(b -> b.endsWith("AmiEventBench.attemptLifecycle"))
                .anyMatch(b -> b.endsWith("ClaimBench.claimAndReturn"));
        for (RunResult r : results) {
            assertThat(r.getPrimaryResult().getScore()).as(r.getParams().getBenchmark()).isPositive();
        }
    }
}

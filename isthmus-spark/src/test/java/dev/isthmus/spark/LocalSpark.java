package dev.isthmus.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One local Spark for the tests of this JVM ({@code local[4]}: four task slots, so barrier stages
 * of up to four workers), started on first use, bound to loopback, without its web UI. A JVM
 * holds one SparkContext at a time: the cluster tests stop this one first.
 */
final class LocalSpark {

    private static SparkSession session;

    private LocalSpark() {}

    static synchronized SparkSession get() {
        if (session == null) {
            session = builder("local[4]").getOrCreate();
        }
        return session;
    }

    static synchronized void stop() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    static SparkSession.Builder builder(String master) {
        return SparkSession.builder().master(master).appName("isthmus-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4");
    }
}

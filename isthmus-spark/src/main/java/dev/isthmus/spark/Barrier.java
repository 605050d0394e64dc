package dev.isthmus.spark;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/** Spark's barrier mode ({@code RDD.barrier().mapPartitions}), which has no Java API, for Java functions. */
final class Barrier {

    private Barrier() {}

    /** A function of one barrier task's partition. */
    @FunctionalInterface
    interface Task<T, R> extends Serializable {
        Iterator<R> run(BarrierTaskContext context, Iterator<T> partition) throws Exception;
    }

    /** Runs {@code task} on every partition of {@code rdd} at once, all tasks started together. */
    static <T, R> JavaRDD<R> mapPartitions(JavaRDD<T> rdd, Task<T, R> task, Class<R> type) {
        ClassTag<R> tag = ClassTag$.MODULE$.apply(type);
        return rdd.rdd().barrier().mapPartitions(new ScalaFunction<>(task), false, tag).toJavaRDD();
    }

    /** The task as the Scala function Spark calls. */
    private record ScalaFunction<T, R>(Task<T, R> task)
            implements scala.Function1<scala.collection.Iterator<T>, scala.collection.Iterator<R>>, Serializable {
        @Override
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> partition) {
            try {
                return CollectionConverters.asScala(task.run(BarrierTaskContext.get(), CollectionConverters.asJava(partition)));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}

package dev.isthmus.spark;

import dev.isthmus.nn.SliceTree;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Sums the workers' partial gradients in the slice tree's order, over TCP between the tasks of
 * one barrier stage: every float of the result is the one machine's float.
 *
 * <p>The vector of {@code length} floats is cut into as many chunks as there are workers, and
 * worker {@code j} finishes chunk {@code j}. A step is two rounds, each all-to-all at once:
 * <ol>
 *   <li><b>reduce-scatter</b>: every worker sends worker {@code j} chunk {@code j} of each of its
 *       block partials; {@code j} puts them where the {@link SliceTree} has them and adds them
 *       there, in tree order;
 *   <li><b>all-gather</b>: every worker sends its finished chunk to all the others.
 * </ol>
 * A worker with one block sends and receives {@code 2 (K - 1) / K} of the vector per step, the
 * least any all-reduce moves, in two network latencies (a ring needs {@code 2 (K - 1)}). The
 * tasks find each other through {@code BarrierTaskContext.allGather} of a listening address
 * each, then keep one connection per pair for the whole stage.
 *
 * <p>Each message starts with the step and round it belongs to, checked on arrival. A peer that
 * dies closes its sockets and the others fail at once, naming it; a peer that stops answering
 * fails them after the timeout. A task Spark kills stops waiting within a second.
 */
final class GradientExchange implements AutoCloseable {

    private static final int HEADER = Long.BYTES;

    private final int rank, workers, length;
    private final String[] addresses;
    private final SocketChannel[] peers;
    private final Selector selector;
    private final SelectionKey[] keys;
    private final ByteBuffer[] out, in;
    private final int[] chunkStart;
    private final long timeoutNanos;
    private final Runnable killCheck;
    private final float[] total;
    private float[][] chunkParts = new float[0][];
    private long round;
    private long nanos, sentBytes, receivedBytes;

    private GradientExchange(int rank, String[] addresses, SocketChannel[] peers, int length, long timeoutNanos,
                             Runnable killCheck) throws IOException {
        this.rank = rank;
        this.workers = addresses.length;
        this.length = length;
        this.addresses = addresses;
        this.peers = peers;
        this.timeoutNanos = timeoutNanos;
        this.killCheck = killCheck;
        this.total = new float[length];
        this.chunkStart = new int[workers + 1];
        for (int j = 0; j <= workers; j++) {
            chunkStart[j] = (int) ((long) length * j / workers);
        }
        this.selector = Selector.open();
        this.keys = new SelectionKey[workers];
        this.out = new ByteBuffer[workers];
        this.in = new ByteBuffer[workers];
        for (int q = 0; q < workers; q++) {
            if (q != rank) {
                peers[q].configureBlocking(false);
                peers[q].setOption(StandardSocketOptions.TCP_NODELAY, true);
                keys[q] = peers[q].register(selector, 0, q);
            }
        }
    }

    /**
     * Connects worker {@code rank} of {@code workers} to the others: listens on {@code host},
     * publishes its address with {@code allGather}, connects to the workers below it and accepts
     * those above it, one connection per pair.
     *
     * @param allGather the barrier's {@code allGather}: every task's message, by rank
     * @param killCheck  throws if Spark has killed the task
     */
    static GradientExchange open(int rank, int workers, String host, Function<String, String[]> allGather,
                                 int length, long timeoutNanos, Runnable killCheck) throws IOException {
        SocketChannel[] peers = new SocketChannel[workers];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(host, 0), workers);
            String mine = host + ":" + ((InetSocketAddress) server.getLocalAddress()).getPort();
            String[] addresses = allGather.apply(mine);
            try {
                for (int q = 0; q < rank; q++) { // connect down, accept up
                    SocketChannel c = SocketChannel.open(address(addresses[q]));
                    ByteBuffer hello = ByteBuffer.allocate(Integer.BYTES).putInt(rank).flip();
                    while (hello.hasRemaining()) {
                        c.write(hello);
                    }
                    peers[q] = c;
                }
                server.configureBlocking(false);
                try (Selector accepting = Selector.open()) {
                    server.register(accepting, SelectionKey.OP_ACCEPT);
                    long deadline = System.nanoTime() + timeoutNanos;
                    for (int accepted = 0; accepted < workers - 1 - rank; ) {
                        accepting.select(1000);
                        accepting.selectedKeys().clear();
                        check(killCheck, deadline, "worker " + rank + " waited for its peers to connect");
                        SocketChannel c = server.accept();
                        if (c == null) {
                            continue;
                        }
                        c.configureBlocking(true);
                        ByteBuffer hello = ByteBuffer.allocate(Integer.BYTES);
                        while (hello.hasRemaining()) {
                            if (c.read(hello) < 0) {
                                throw new EOFException("a peer of worker " + rank + " closed its connection before saying who it is");
                            }
                        }
                        int q = hello.flip().getInt();
                        if (q <= rank || q >= workers || peers[q] != null) {
                            throw new IOException("worker " + rank + " got a connection from worker " + q
                                    + ", which should not connect to it");
                        }
                        peers[q] = c;
                        accepted++;
                    }
                }
                return new GradientExchange(rank, addresses, peers, length, timeoutNanos, killCheck);
            } catch (IOException | RuntimeException e) {
                closeAll(peers, e);
                throw e;
            }
        }
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /**
     * The sum over all workers of their partials, in tree order: {@code blocks[i]} is this
     * worker's partial for the block starting at slice {@code blockStarts[rank][i]};
     * {@code blockStarts[w]} lists worker {@code w}'s blocks in a tree over {@code slices}. The
     * result (the exchange's own array, {@code length} floats) is the same on every worker.
     */
    float[] allReduce(float[][] blocks, int[][] blockStarts, int slices) throws IOException {
        long t0 = System.nanoTime();
        int from = chunkStart[rank], to = chunkStart[rank + 1], mine = to - from;
        if (chunkParts.length < slices || (slices > 0 && chunkParts[0].length < mine)) {
            chunkParts = new float[slices][mine];
        }
        float[][] parts = new float[slices][];
        round++;
        for (int q = 0; q < workers; q++) { // round 1: chunk q of each of my blocks to worker q
            if (q == rank) {
                continue;
            }
            int chunk = chunkStart[q + 1] - chunkStart[q];
            ByteBuffer o = buffer(out, q, HEADER + (long) blocks.length * chunk * Float.BYTES);
            o.putLong(round);
            for (float[] block : blocks) {
                o.asFloatBuffer().put(block, chunkStart[q], chunk);
                o.position(o.position() + chunk * Float.BYTES);
            }
            o.flip();
            buffer(in, q, HEADER + (long) blockStarts[q].length * mine * Float.BYTES);
        }
        transfer();
        for (int q = 0; q < workers; q++) {
            int[] starts = blockStarts[q];
            for (int i = 0; i < starts.length; i++) {
                float[] part = chunkParts[starts[i]];
                if (q == rank) {
                    System.arraycopy(blocks[i], from, part, 0, mine);
                } else {
                    in[q].asFloatBuffer().get(part, 0, mine);
                    in[q].position(in[q].position() + mine * Float.BYTES);
                }
                parts[starts[i]] = part;
            }
        }
        SliceTree.sum(parts, 0, slices, 0, mine);
        System.arraycopy(parts[0], 0, total, from, mine);

        round++;
        for (int q = 0; q < workers; q++) { // round 2: my finished chunk to everyone
            if (q != rank) {
                ByteBuffer o = buffer(out, q, HEADER + (long) mine * Float.BYTES);
                o.putLong(round);
                o.asFloatBuffer().put(total, from, mine);
                o.position(o.position() + mine * Float.BYTES).flip();
                buffer(in, q, HEADER + (long) (chunkStart[q + 1] - chunkStart[q]) * Float.BYTES);
            }
        }
        transfer();
        for (int q = 0; q < workers; q++) {
            if (q != rank) {
                in[q].asFloatBuffer().get(total, chunkStart[q], chunkStart[q + 1] - chunkStart[q]);
            }
        }
        nanos += System.nanoTime() - t0;
        return total;
    }

    /** {@code buffers[q]}, cleared, grown to hold {@code bytes}, limited to them; little-endian. */
    private static ByteBuffer buffer(ByteBuffer[] buffers, int q, long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a message of " + bytes + " bytes is more than one buffer holds");
        }
        ByteBuffer b = buffers[q];
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect((int) Math.max(bytes, b == null ? 0 : 2L * b.capacity()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buffers[q] = b;
        }
        b.clear().limit((int) bytes);
        return b;
    }

    /** Sends every {@code out} and fills every {@code in}, all peers at once; checks the headers. */
    private void transfer() throws IOException {
        int pending = 0;
        for (int q = 0; q < workers; q++) {
            if (q != rank) {
                keys[q].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                pending++;
                sentBytes += out[q].remaining();
                receivedBytes += in[q].remaining();
            }
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (pending > 0) {
            if (selector.select(1000) == 0) {
                check(killCheck, deadline, "worker " + rank + " waited for " + waitingFor() + " in step " + (round + 1) / 2);
                continue;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                int q = (Integer) key.attachment();
                try {
                    if (key.isWritable() && out[q].hasRemaining()) {
                        peers[q].write(out[q]);
                    }
                    if (key.isReadable() && in[q].hasRemaining() && peers[q].read(in[q]) < 0) {
                        throw new EOFException("end of stream");
                    }
                } catch (IOException e) {
                    throw new IOException("worker " + q + " (" + addresses[q] + ") dropped its connection to worker " + rank
                            + " in step " + (round + 1) / 2 + " (" + e.getMessage() + "): did its executor die?", e);
                }
                int ops = (out[q].hasRemaining() ? SelectionKey.OP_WRITE : 0) | (in[q].hasRemaining() ? SelectionKey.OP_READ : 0);
                if (key.interestOps() != ops) {
                    key.interestOps(ops);
                    if (ops == 0) {
                        pending--;
                    }
                }
            }
            selector.selectedKeys().clear();
        }
        for (int q = 0; q < workers; q++) {
            if (q != rank) {
                long header = in[q].flip().getLong();
                if (header != round) {
                    throw new IOException("worker " + q + " sent message " + header + " to worker " + rank + ", which expected "
                            + round + ": the workers are out of step");
                }
            }
        }
    }

    private String waitingFor() {
        StringBuilder b = new StringBuilder("workers [");
        for (int q = 0; q < workers; q++) {
            if (q != rank && keys[q].interestOps() != 0) {
                b.append(b.length() > 9 ? ", " : "").append(q).append(" at ").append(addresses[q]);
            }
        }
        return b.append(']').toString();
    }

    private static void check(Runnable killCheck, long deadline, String what) throws IOException {
        killCheck.run();
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException(what + " and was interrupted");
        }
        if (System.nanoTime() - deadline > 0) {
            throw new SocketTimeoutException(what + " past the timeout");
        }
    }

    /** Wall time spent in {@link #allReduce}, in nanoseconds. */
    long nanos() {
        return nanos;
    }

    long sentBytes() {
        return sentBytes;
    }

    long receivedBytes() {
        return receivedBytes;
    }

    int length() {
        return length;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            selector.close();
        } catch (IOException e) {
            failure = e;
        }
        closeAll(peers, failure);
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAll(SocketChannel[] channels, Exception primary) {
        for (SocketChannel c : channels) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    if (primary != null) {
                        primary.addSuppressed(e);
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "GradientExchange[worker " + rank + " of " + workers + ", " + length + " floats, peers "
                + Arrays.toString(addresses) + "]";
    }
}

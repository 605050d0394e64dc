package dev.isthmus.cli;

/**
 * Stops this JVM when the process that launched it ends, for launchers that may die without
 * passing a signal on: Maven's exec plugin starts the main job as a child JVM, and a
 * {@code kill -9} of Maven would leave the job training on, replacing its checkpoint, with no one
 * to see it. Enabled by {@code -D}{@value #PROPERTY}{@code =true} (the Maven profile sets it); the
 * {@code isthmus} launcher script needs none, since it {@code exec}s the JVM, which then receives
 * the signals itself. Exit code 143, as for SIGTERM; the shutdown hooks ({@link RunGuard}) run.
 */
final class ParentWatch {

    static final String PROPERTY = "isthmus.exitWithParent";
    private static final long POLL_MILLIS = 250;

    private ParentWatch() {}

    static void startIfRequested(Screen screen) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
        if (parent == null || !parent.isAlive()) {
            return;
        }
        Thread watch = new Thread(() -> {
            try {
                while (parent.isAlive()) { // the handle knows its start time, so a reused pid is not mistaken
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                return;
            }
            screen.println(System.err, "the process that launched this one (pid " + parent.pid() + ") has ended: stopping");
            System.exit(143);
        }, "isthmus-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}

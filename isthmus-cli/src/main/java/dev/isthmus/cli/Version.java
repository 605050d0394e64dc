package dev.isthmus.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code isthmus --version}: this build's version (from the jar's manifest) and the Java it runs on. */
final class Version implements IVersionProvider {

    static final String FALLBACK = "0.1.0-SNAPSHOT";

    @Override
    public String[] getVersion() {
        String version = IsthmusCli.class.getPackage().getImplementationVersion();
        return new String[] {"isthmus " + (version != null ? version : FALLBACK),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")"};
    }
}

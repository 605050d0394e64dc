package dev.isthmus.data;

import java.io.IOException;

/** A file that is not the IDX data expected: the message names the file and what was wrong. */
public final class IdxFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.zerotir.data;

/** A data set that cannot be used; the message names the file, the line and the field. */
public class DatasetException extends IllegalArgumentException {
    private final int line;
    private final String field;

    public DatasetException(String message, int line, String field) {
        super(message);
        this.line = line;
        this.field = field;
    }

    public int line() {
        return line;
    }

    public String field() {
        return field;
    }
}

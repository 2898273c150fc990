package org.mmappickle.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * The writer every command prints through: control characters that reach it (from a key, a value's text, a
 * message quoting a file) are written as visible escapes ({@link Text#safe}), so that a file can never send a
 * terminal an escape sequence. Newlines and tabs pass.
 */
final class SafeWriter extends FilterWriter {

    /** Wraps the writer the command line was given. */
    SafeWriter(Writer out) {
        super(out);
    }

    @Override
    public void write(int c) throws IOException {
        if (Text.control(c)) {
            out.write(Text.safe(Character.toString(c)));
        } else {
            out.write(c);
        }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        write(new String(cbuf, off, len), 0, len);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (Text.control(str.charAt(i))) {
                out.write(str, start, i - start);
                write(str.charAt(i));
                start = i + 1;
            }
        }
        out.write(str, start, off + len - start);
    }
}

package org.mmappickle.cli;

import java.nio.file.Path;
import org.mmappickle.cli.json.TaggedJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code info FILE}: facts about the file as a whole. */
@Command(name = "info",
        description = "Prints facts about a file: header, commit number, entry counts, bytes in deleted entries, "
                + "size, array layouts, the state of its tail and whether plain pickle loads it on numpy 1.x / 2.x.")
final class InfoCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The mmappickle file.")
    Path file;

    @Option(names = "--json", description = "Print a JSON object instead of lines.")
    boolean json;

    /** Runs the command and returns its exit status; a failure is thrown, for {@link Main} to report. */
    @Override
    public Integer call() throws Exception {
        FileSummary s = FileSummary.of(file);
        if (json) {
            out().println(TaggedJson.write(s.json()));
        } else {
            s.print(out());
        }
        return 0;
    }
}

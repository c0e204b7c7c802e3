package org.zerotir.cli;

import org.zerotir.engine.BackendUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Set;

/** The command line: {@code zerotir <command> [options]}; without a command the server starts. */
@Command(name = "zerotir", mixinStandardHelpOptions = true, version = "zerotir 0.1",
        description = {"Trains language models with RL to use a Python interpreter while they reason.",
                "Without a command the server starts; 'sandbox' starts a sandbox replica (HTTP sandbox only, no database)."},
        subcommands = {PretrainCommand.class, TrainCommand.class, ReportCommand.class, EvalCommand.class})
public final class Commands {

    private static final Set<String> NAMES = Set.of("pretrain", "train", "report", "eval", "help", "--help", "-h", "--version", "-V");

    static boolean isCommand(String[] args) {
        return args.length > 0 && NAMES.contains(args[0]);
    }

    static int run(String[] args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Commands());
        // a bad flag or value is the user's mistake: one line naming it, and the usage, never a stack trace
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println(cmd.getColorScheme().errorText("error: " + e.getMessage()));
                return 2;
            }
            // not a usage error (the same command line runs on a machine with a GPU), so not 2; still one line
            if (e instanceof BackendUnavailableException) {
                cmd.getErr().println(cmd.getColorScheme().errorText("error: " + e.getMessage()));
                return 1;
            }
            throw e;
        });
        return line;
    }
}

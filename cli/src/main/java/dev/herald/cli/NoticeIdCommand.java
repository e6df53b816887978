package dev.herald.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** A command about one notice, given by its id as the first argument. */
abstract class NoticeIdCommand implements Callable<Integer> {

    @Mixin
    HeraldCli.Connection connection;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", description = "the notice id")
    long id;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

package io.huibo.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Files an operator hands a command (CSV imports): a file that cannot be read is bad input, exit code 2. */
final class InputFiles {
    private InputFiles() {
    }

    static String utf8(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException(Output.INVALID, "no such file: " + file);
        } catch (CharacterCodingException e) {
            throw new CliException(Output.INVALID, file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new CliException(Output.INVALID, "cannot read " + file + ": " + e.getMessage());
        }
    }
}

package org.mmappickle.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests' data lives, in the repository itself: {@code java/src/test/resources}, shared by the tests of
 * every module. It holds the reference files written by Python's mmappickle 1.0.1 ({@code vectors/}) and the
 * Python helpers the interop tests run ({@code python/}). The repository is the system property
 * {@code mmappickle.repo} (the build sets it), else the folder above the module the tests run in.
 */
public final class TestData {
    private TestData() {
    }

    /**
     * Returns the repository's top folder.
     *
     * @return the folder holding {@code java/}, {@code cli/} and the parent POM
     */
    public static Path repo() {
        String repo = System.getProperty("mmappickle.repo", "");
        Path p = repo.isBlank() ? Path.of("..") : Path.of(repo);
        p = p.toAbsolutePath().normalize();
        if (!Files.isDirectory(p.resolve("java/src/test/resources"))) {
            throw new IllegalStateException("not the repository's top folder (no java/src/test/resources): " + p
                    + "; set -Dmmappickle.repo=<the folder of the parent pom.xml>");
        }
        return p;
    }

    /**
     * Returns the folder of the shared test resources.
     *
     * @return {@code java/src/test/resources} of the repository
     */
    public static Path resources() {
        return repo().resolve("java/src/test/resources");
    }

    /**
     * Returns the reference files written by Python's mmappickle 1.0.1, with their {@code manifest.json}.
     *
     * @return the vectors folder
     */
    public static Path vectors() {
        return resources().resolve("vectors/mmappickle-1.0.1");
    }

    /**
     * Returns the folder of the tests' Python helpers ({@code tagged_json.py}, {@code pickle_to_json.py},
     * {@code mmapdict_py.py}), to put on {@code PYTHONPATH}.
     *
     * @return the python folder
     */
    public static Path python() {
        return resources().resolve("python");
    }
}

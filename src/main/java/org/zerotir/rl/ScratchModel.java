package org.zerotir.rl;

import org.zerotir.data.BaseCorpus;
import org.zerotir.engine.Backend;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.checkpoint.HuggingFaceCheckpoint;
import org.zerotir.tokenizer.BpeTrainer;
import org.zerotir.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The model of a run that starts from nothing ({@code model.scratch}): made once in the run's directory as an
 * ordinary Hugging Face directory, so that everything downstream (tokenizer, loop, reference model, resume)
 * reads it like any other model. Made the way {@code zerotir pretrain} makes its model before training: the
 * byte-level BPE learnt from the first documents of the base corpus, then weights initialised with the seed.
 * Deterministic in (shape, seed): a run directory that lost it gets the same model back.
 */
public final class ScratchModel {
    public static final String DIRECTORY = "scratch-model";
    /** The tokenizer's one special token, as {@code zerotir pretrain} names it (end of document = end of sequence). */
    static final String END_OF_TEXT = "<|endoftext|>";
    /** {@code zerotir pretrain} learns its merges from the first 20 000 documents of its corpus. */
    static final int TOKENIZER_DOCUMENTS = 20_000;
    /** {@code zerotir pretrain}'s default --bridge-share and --hard-word-fraction (its --offer-fraction default is 0). */
    private static final double BRIDGE_SHARE = 0.30, HARD_WORD_FRACTION = 0.3;

    private ScratchModel() {}

    /**
     * {@code config} itself when it names a model directory; otherwise the same run reading its scratch model from
     * {@code <runDirectory>/scratch-model}, made there first if it is not there yet.
     */
    public static RunConfig resolve(RunConfig config, Path runDirectory, Backend backend) throws IOException {
        RunConfig.Scratch shape = config.model().scratch();
        if (shape == null) return config;
        Path directory = runDirectory.resolve(DIRECTORY);
        // made in a staging directory and moved into place whole, so that its presence means it is complete
        if (!Files.isDirectory(directory)) make(shape, config.seed(), directory, backend);
        return config.withModelDirectory(directory);
    }

    /** Writes tokenizer.json, tokenizer_config.json, config.json and model.safetensors into {@code directory}. */
    public static void make(RunConfig.Scratch shape, long seed, Path directory, Backend backend) throws IOException {
        Path parent = directory.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, DIRECTORY + "-");
        try {
            learnTokenizer(shape.vocab(), seed, TOKENIZER_DOCUMENTS, staging);
            Tokenizer tokenizer = Tokenizer.load(staging);
            // the same fixed choices as zerotir pretrain: RoPE base 10 000, eps 1e-6, no QKV bias, tied embeddings
            ModelConfig modelConfig = new ModelConfig(tokenizer.vocabSize(), shape.hidden(), shape.intermediate(), shape.layers(),
                    shape.heads(), shape.kvHeads(), shape.context(), 10_000, 1e-6, false, true);
            try (Transformer model = new Transformer(backend, modelConfig)) {
                model.initializeRandom(seed);
                HuggingFaceCheckpoint.save(model, staging);
            }
            Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(staging);
        }
    }

    /** The vocabulary {@code zerotir pretrain --vocab <vocab> --seed <seed> --documents <documents>} learns. */
    public static void learnTokenizer(int vocab, long seed, int documents, Path directory) throws IOException {
        BaseCorpus.Settings corpus = BaseCorpus.Settings.mix(BRIDGE_SHARE, HARD_WORD_FRACTION, 0, 0);
        List<String> text = BaseCorpus.documents(corpus, Math.min(documents, TOKENIZER_DOCUMENTS), seed);
        BpeTrainer.write(BpeTrainer.train(text, new BpeTrainer.Settings(vocab, 2, List.of(END_OF_TEXT))), directory);
    }

    /** Deletes a directory and everything in it; nothing when it is absent. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        }
    }
}

package org.zerotir.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zerotir.engine.ModelConfig;
import org.zerotir.engine.ModelConfigException;
import org.zerotir.engine.ParameterLayout;
import org.zerotir.engine.Transformer;
import org.zerotir.engine.cpu.CpuBackend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuggingFaceCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static CpuBackend backend;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static ModelConfig config(boolean bias, boolean tied) {
        return new ModelConfig(23, 16, 24, 2, 4, 2, 64, 10000, 1e-6, bias, tied);
    }

    private static Transformer randomModel(ModelConfig config, long seed) {
        Transformer model = new Transformer(backend, config);
        model.initializeRandom(seed);
        return model;
    }

    @Test
    void roundTripIsBitExactSingleFileAndSharded(@TempDir Path dir) throws IOException {
        for (boolean sharded : new boolean[] {false, true}) {
            for (ModelConfig config : new ModelConfig[] {config(true, true), config(false, false)}) {
                Transformer original = randomModel(config, 42);
                Path target = dir.resolve("m-" + sharded + "-" + config.qkvBias());
                HuggingFaceCheckpoint.save(original, target, sharded ? 2_000 : HuggingFaceCheckpoint.DEFAULT_MAX_SHARD_BYTES);
                assertEquals(sharded, Files.exists(target.resolve(HuggingFaceCheckpoint.INDEX)));
                Transformer loaded = HuggingFaceCheckpoint.load(backend, target);
                assertEquals(config, loaded.config());
                float[] a = backend.toHost(original.parameters()), b = backend.toHost(loaded.parameters());
                assertEquals(a.length, b.length);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
                }
            }
        }
    }

    @Test
    void criticStartsFromThePolicyTrunkWithAZeroValueHead(@TempDir Path dir) throws IOException {
        for (boolean tied : new boolean[] {true, false}) {
            Transformer policy = randomModel(config(true, tied), 8);
            Path policyDir = dir.resolve("policy-" + tied);
            HuggingFaceCheckpoint.save(policy, policyDir);
            Transformer critic = HuggingFaceCheckpoint.loadValueModel(backend, policyDir);
            assertEquals(ModelConfig.OutputHead.VALUE, critic.config().head());
            for (ParameterLayout.Entry e : critic.layout().entries()) {
                float[] actual = backend.toHost(critic.layout().view(critic.parameters(), e.name()));
                if (e.name().equals(ParameterLayout.VALUE_HEAD)) {
                    assertArrayEquals(new float[actual.length], actual);
                } else {
                    assertArrayEquals(backend.toHost(policy.layout().view(policy.parameters(), e.name())), actual, e.name());
                }
            }
            Path criticDir = dir.resolve("critic-" + tied);
            critic.initializeRandom(3);
            HuggingFaceCheckpoint.save(critic, criticDir);
            assertTrue(Files.readString(criticDir.resolve("config.json")).contains("Qwen2ForTokenClassification"));
            Transformer reloaded = HuggingFaceCheckpoint.load(backend, criticDir);
            assertArrayEquals(backend.toHost(critic.parameters()), backend.toHost(reloaded.parameters()));
        }
    }

    @Test
    void loadsBf16AndF16Weights(@TempDir Path dir) throws IOException {
        ModelConfig config = config(true, true);
        Transformer original = randomModel(config, 3);
        HuggingFaceCheckpoint.save(original, dir);
        ParameterLayout layout = original.layout();
        // Rewrite the file with BF16 for the embedding and F16 for everything else.
        Map<String, byte[]> raw = new LinkedHashMap<>();
        Map<String, String> dtypes = new LinkedHashMap<>();
        float[] expected = backend.toHost(original.parameters());
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean bf16 = e.name().equals(ParameterLayout.EMBEDDING);
            ByteBuffer bytes = ByteBuffer.allocate((int) e.size() * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < e.size(); i++) {
                float v = expected[(int) e.offset() + i];
                short half = bf16 ? (short) (Float.floatToRawIntBits(v) >>> 16) : Float.floatToFloat16(v);
                bytes.putShort(half);
                expected[(int) e.offset() + i] = bf16 ? Float.intBitsToFloat((half & 0xffff) << 16) : Float.float16ToFloat(half);
            }
            raw.put(e.name(), bytes.array());
            dtypes.put(e.name(), bf16 ? "BF16" : "F16");
        }
        writeRaw(dir.resolve(HuggingFaceCheckpoint.SINGLE_FILE), raw, dtypes, layout);
        Transformer loaded = HuggingFaceCheckpoint.load(backend, dir);
        assertArrayEquals(expected, backend.toHost(loaded.parameters()));
    }

    @Test
    void refusesMissingTensorNamingIt(@TempDir Path dir) throws IOException {
        Transformer original = randomModel(config(true, true), 5);
        HuggingFaceCheckpoint.save(original, dir);
        rewriteWithout(dir, original, "model.layers.1.self_attn.k_proj.bias");
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> HuggingFaceCheckpoint.load(backend, dir));
        assertEquals("model.layers.1.self_attn.k_proj.bias", e.field());
        assertTrue(e.getMessage().contains("lacks tensor"), e.getMessage());
    }

    @Test
    void refusesMisshapedTensorNamingIt(@TempDir Path dir) throws IOException {
        Transformer original = randomModel(config(false, false), 5);
        HuggingFaceCheckpoint.save(original, dir);
        // Claim one more layer's worth of width in config.json: every q_proj is now the wrong shape.
        ObjectNode json = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        json.put("intermediate_size", 32);
        JSON.writeValue(dir.resolve("config.json").toFile(), json);
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> HuggingFaceCheckpoint.load(backend, dir));
        assertEquals("model.layers.0.mlp.gate_proj.weight", e.field());
        assertTrue(e.getMessage().contains("[24, 16]") && e.getMessage().contains("[32, 16]"), e.getMessage());
    }

    @Test
    void refusesUnknownDtypeAndTruncatedFileAndBadConfig(@TempDir Path dir) throws IOException {
        Transformer original = randomModel(config(true, true), 5);
        HuggingFaceCheckpoint.save(original, dir);
        Path file = dir.resolve(HuggingFaceCheckpoint.SINGLE_FILE);
        byte[] good = Files.readAllBytes(file);

        Files.write(file, Arrays.copyOf(good, good.length - 10));
        ModelConfigException truncated = assertThrows(ModelConfigException.class, () -> HuggingFaceCheckpoint.load(backend, dir));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        assertEquals(ParameterLayout.FINAL_NORM, truncated.field());

        String header = new String(good, 8, (int) ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), StandardCharsets.UTF_8);
        String changed = header.replaceFirst("\"F32\"", "\"Q4\"");
        byte[] patched = good.clone();
        System.arraycopy(changed.getBytes(StandardCharsets.UTF_8), 0, patched, 8, changed.length());
        Files.write(file, patched);
        ModelConfigException dtype = assertThrows(ModelConfigException.class, () -> HuggingFaceCheckpoint.load(backend, dir));
        assertTrue(dtype.getMessage().contains("unknown dtype \"Q4\""), dtype.getMessage());

        Files.write(file, good);
        ObjectNode json = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        json.put("num_key_value_heads", 3);
        JSON.writeValue(dir.resolve("config.json").toFile(), json);
        ModelConfigException config = assertThrows(ModelConfigException.class, () -> HuggingFaceCheckpoint.load(backend, dir));
        assertEquals("num_key_value_heads", config.field());
    }

    private static void rewriteWithout(Path dir, Transformer model, String dropped) throws IOException {
        Map<String, SafeTensors.Source> tensors = new LinkedHashMap<>();
        for (ParameterLayout.Entry e : model.layout().entries()) {
            if (e.name().equals(dropped)) continue;
            tensors.put(e.name(), new SafeTensors.Source(backend.toHost(model.layout().view(model.parameters(), e.name())),
                    Arrays.stream(e.shape()).asLongStream().toArray()));
        }
        SafeTensors.write(dir.resolve(HuggingFaceCheckpoint.SINGLE_FILE), tensors, Map.of());
    }

    private static void writeRaw(Path file, Map<String, byte[]> raw, Map<String, String> dtypes, ParameterLayout layout) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (ParameterLayout.Entry e : layout.entries()) {
            ObjectNode node = header.putObject(e.name());
            node.put("dtype", dtypes.get(e.name()));
            var shape = node.putArray("shape");
            for (int d : e.shape()) shape.add(d);
            node.putArray("data_offsets").add(offset).add(offset + raw.get(e.name()).length);
            offset += raw.get(e.name()).length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (byte[] bytes : raw.values()) out.put(bytes);
        Files.write(file, out.array());
    }
}

package org.zerotir.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.zerotir.engine.ModelConfigException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data. Reading validates the whole header against the file
 * before any data is touched, so a truncated or inconsistent file is refused up front.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The reference implementation refuses headers above 100 MB; so do we, before allocating one. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private SafeTensors() {}

    /** One tensor's header entry; begin and end are byte offsets into the data section. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    /** A float tensor to write: data[offset, offset + prod(shape)). */
    public record Source(float[] data, int offset, long[] shape) {
        public Source(float[] data, long... shape) {
            this(data, 0, shape);
        }
    }

    /** Bytes per element of the dtypes this engine reads. */
    static int bytesPer(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "BF16", "F16" -> 2;
            case "F64", "I64" -> 8;
            default -> -1;
        };
    }

    /** An open safetensors file: the validated header, data read on demand. */
    public static final class Reader implements AutoCloseable {
        private final Path path;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, Entry> entries;
        private final Map<String, String> metadata;

        private Reader(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
            this.path = path;
            this.channel = channel;
            this.dataStart = dataStart;
            this.entries = entries;
            this.metadata = metadata;
        }

        public Path path() {
            return path;
        }

        public Map<String, Entry> entries() {
            return entries;
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        public Entry entry(String name) {
            Entry e = entries.get(name);
            if (e == null) throw new ModelConfigException(name, path.getFileName() + " has no tensor " + name);
            return e;
        }

        /** Reads a F32, BF16, F16 or F64 tensor as floats into destination[offset...]. */
        public void readFloats(String name, float[] destination, int offset) throws IOException {
            Entry e = entry(name);
            ByteBuffer bytes = read(e);
            int n = Math.toIntExact(e.elements());
            switch (e.dtype()) {
                case "F32" -> bytes.asFloatBuffer().get(destination, offset, n);
                case "F64" -> {
                    for (int i = 0; i < n; i++) destination[offset + i] = (float) bytes.getDouble(i * 8);
                }
                case "BF16" -> {
                    // bfloat16 is the top half of a float32
                    for (int i = 0; i < n; i++) destination[offset + i] = Float.intBitsToFloat((bytes.getShort(i * 2) & 0xffff) << 16);
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) destination[offset + i] = Float.float16ToFloat(bytes.getShort(i * 2));
                }
                default -> throw new ModelConfigException(name, "tensor " + name + " has dtype " + e.dtype()
                        + "; floating-point weights must be F32, BF16, F16 or F64");
            }
        }

        public float[] readFloats(String name) throws IOException {
            float[] out = new float[Math.toIntExact(entry(name).elements())];
            readFloats(name, out, 0);
            return out;
        }

        /** Reads an I64 or I32 tensor. */
        public long[] readLongs(String name) throws IOException {
            Entry e = entry(name);
            ByteBuffer bytes = read(e);
            int n = Math.toIntExact(e.elements());
            long[] out = new long[n];
            switch (e.dtype()) {
                case "I64" -> bytes.asLongBuffer().get(out);
                case "I32" -> {
                    for (int i = 0; i < n; i++) out[i] = bytes.getInt(i * 4);
                }
                default -> throw new ModelConfigException(name, "tensor " + name + " has dtype " + e.dtype() + ", expected I64 or I32");
            }
            return out;
        }

        private ByteBuffer read(Entry e) throws IOException {
            long length = e.end() - e.begin();
            if (length > Integer.MAX_VALUE) {
                throw new ModelConfigException(e.name(), "tensor " + e.name() + " is larger than 2 GiB");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
            long position = dataStart + e.begin();
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position);
                if (read < 0) throw new ModelConfigException(e.name(), path.getFileName() + " ends inside tensor " + e.name());
                position += read;
            }
            return buffer.flip();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    public static Reader open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path, channel);
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    private static Reader parse(Path path, FileChannel channel) throws IOException {
        String file = path.getFileName().toString();
        long fileSize = channel.size();
        if (fileSize < 8) throw new ModelConfigException(file, file + " is too short to be a safetensors file (" + fileSize + " bytes)");
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
            throw new ModelConfigException(file, file + " declares a header of " + headerLength + " bytes but holds " + fileSize
                    + " bytes: truncated or not safetensors");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        while (headerBytes.hasRemaining()) {
            if (channel.read(headerBytes, 8 + headerBytes.position()) < 0) break;
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelConfigException(file, file + " has a header that is not valid JSON: " + e.getMessage());
        }
        if (header == null || !header.isObject()) throw new ModelConfigException(file, file + " has a header that is not a JSON object");
        long dataStart = 8 + headerLength, dataSize = fileSize - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String dtype = node.path("dtype").asText("");
            if (bytesPer(dtype) < 0) {
                throw new ModelConfigException(name, "tensor " + name + " in " + file + " has unknown dtype \"" + dtype + "\"");
            }
            JsonNode shapeNode = node.path("shape"), offsets = node.path("data_offsets");
            if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new ModelConfigException(name, "tensor " + name + " in " + file + " lacks a shape or data_offsets");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong(-1);
                if (shape[i] < 0) throw new ModelConfigException(name, "tensor " + name + " has a negative dimension");
                elements = Math.multiplyExact(elements, shape[i]);
            }
            long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end - begin != elements * bytesPer(dtype)) {
                throw new ModelConfigException(name, "tensor " + name + " in " + file + ": data_offsets [" + begin + ", " + end
                        + "] do not match shape " + java.util.Arrays.toString(shape) + " of " + dtype);
            }
            if (end > dataSize) {
                throw new ModelConfigException(name, "tensor " + name + " ends at byte " + end + " but " + file + " holds only "
                        + dataSize + " data bytes: the file is truncated");
            }
            entries.put(name, new Entry(name, dtype, shape, begin, end));
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).begin() < sorted.get(i - 1).end()) {
                throw new ModelConfigException(sorted.get(i).name(), "tensors " + sorted.get(i - 1).name() + " and "
                        + sorted.get(i).name() + " overlap in " + file);
            }
        }
        return new Reader(path, channel, dataStart, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    /**
     * Writes F32 tensors in the given order (names must be unique), padding the header with spaces to a
     * multiple of 8 bytes as the reference implementation does, so the data is aligned.
     */
    public static void write(Path path, Map<String, Source> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Source> t : tensors.entrySet()) {
            long elements = 1;
            for (long d : t.getValue().shape()) elements *= d;
            ObjectNode node = header.putObject(t.getKey());
            node.put("dtype", "F32");
            var shape = node.putArray("shape");
            for (long d : t.getValue().shape()) shape.add(d);
            node.putArray("data_offsets").add(offset).add(offset + elements * 4);
            offset += elements * 4;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) prefix.put((byte) ' ');
        Path temporary = path.resolveSibling(path.getFileName() + ".partial");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, prefix.flip());
            ByteBuffer chunk = ByteBuffer.allocate(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            int chunkFloats = chunk.capacity() / 4;
            for (Source source : tensors.values()) {
                long elements = 1;
                for (long d : source.shape()) elements *= d;
                for (long done = 0; done < elements; ) {
                    int count = (int) Math.min(chunkFloats, elements - done);
                    chunk.clear();
                    chunk.asFloatBuffer().put(source.data(), source.offset() + (int) done, count);
                    chunk.limit(count * 4);
                    writeFully(out, chunk);
                    done += count;
                }
            }
            out.force(true);
        }
        // Readers never see a half-written checkpoint: the file appears under its name only when complete.
        java.nio.file.Files.move(temporary, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
        buffer.clear();
    }
}

package org.zerotir.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template read from {@code src/main/resources/templates/<name>.txt}: {@code zerotir} (base model,
 * Python tool), {@code zerorl} (base model, no tool), {@code chatml} (instruct models), {@code mini} (the mini ZeroTIR
 * models pre-trained by {@code zerotir pretrain}: the frame of their base corpus, {@code BaseCorpus.prompt}).
 *
 * <p>File format. A plain template is the file's text with its final newline removed; {@code {problem}}
 * marks where the problem goes. A chat template is made of sections, each opened by a line
 * {@code --- name ---}; a section's text runs up to the newline before the next header (or the file's final
 * newline), so a blank line at its end makes it end in a newline. Sections: {@code turn} (one message,
 * with {@code {role}} and {@code {content}}), {@code generation} (what opens the assistant's reply),
 * {@code system} (the default system message, optional) and {@code user} (the user message, with
 * {@code {problem}}). Placeholders are replaced in one pass, so braces in a problem ({@code \frac{a}{b}})
 * are left alone.
 */
public final class PromptTemplate {
    public static final List<String> NAMES = List.of("zerotir", "zerorl", "chatml", "mini");
    private static final Pattern HEADER = Pattern.compile("^--- ([a-z]+) ---$", Pattern.MULTILINE);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");

    private final String name;
    private final String plain;
    private final Map<String, String> sections;

    /** One chat message; roles are free text ("system", "user", "assistant", "tool"). */
    public record Message(String role, String content) {
        public Message {
            if (role == null || role.isBlank()) throw new IllegalArgumentException("a message needs a role");
            if (content == null) throw new IllegalArgumentException("message of role " + role + " has no content");
        }
    }

    private PromptTemplate(String name, String plain, Map<String, String> sections) {
        this.name = name;
        this.plain = plain;
        this.sections = sections;
    }

    /** Loads templates/&lt;name&gt;.txt from the classpath. */
    public static PromptTemplate load(String name) {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown prompt template \"" + name + "\"; known: " + NAMES);
        try (InputStream in = PromptTemplate.class.getResourceAsStream("/templates/" + name + ".txt")) {
            if (in == null) throw new IllegalStateException("templates/" + name + ".txt is missing from the classpath");
            return parse(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a template from text in the file format above; the name is only for messages. */
    public static PromptTemplate parse(String name, String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        Matcher header = HEADER.matcher(body);
        if (!header.find()) {
            checkPlaceholders(name, "template", body, List.of("problem"));
            return new PromptTemplate(name, body, Map.of());
        }
        if (header.start() != 0) throw new IllegalArgumentException("template " + name + ": text before the first --- section --- line");
        Map<String, String> sections = new LinkedHashMap<>();
        List<int[]> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        do {
            names.add(header.group(1));
            bounds.add(new int[] {header.start(), header.end()});
        } while (header.find());
        for (int i = 0; i < names.size(); i++) {
            int from = bounds.get(i)[1] + 1;
            int to = i + 1 < names.size() ? bounds.get(i + 1)[0] - 1 : body.length();
            String content = from <= to ? body.substring(from, to) : "";
            if (sections.put(names.get(i), content) != null) throw new IllegalArgumentException("template " + name + ": section " + names.get(i) + " appears twice");
        }
        for (String required : List.of("turn", "generation", "user"))
            if (!sections.containsKey(required)) throw new IllegalArgumentException("template " + name + ": missing section --- " + required + " ---");
        for (String section : sections.keySet())
            if (!List.of("turn", "generation", "system", "user").contains(section)) throw new IllegalArgumentException("template " + name + ": unknown section --- " + section + " ---");
        checkPlaceholders(name, "turn", sections.get("turn"), List.of("role", "content"));
        checkPlaceholders(name, "generation", sections.get("generation"), List.of());
        checkPlaceholders(name, "user", sections.get("user"), List.of("problem"));
        if (sections.containsKey("system")) checkPlaceholders(name, "system", sections.get("system"), List.of());
        return new PromptTemplate(name, null, Map.copyOf(sections));
    }

    private static void checkPlaceholders(String name, String section, String text, List<String> required) {
        Matcher m = PLACEHOLDER.matcher(text);
        List<String> found = new ArrayList<>();
        while (m.find()) found.add(m.group(1));
        for (String f : found)
            if (!required.contains(f)) throw new IllegalArgumentException("template " + name + ", " + section + ": unknown placeholder {" + f + "}; allowed " + required);
        for (String r : required)
            if (found.stream().filter(r::equals).count() != 1) throw new IllegalArgumentException("template " + name + ", " + section + ": needs {" + r + "} exactly once");
    }

    public String name() {
        return name;
    }

    public boolean isChat() {
        return plain == null;
    }

    /** The prompt for one problem; for a chat template: the system message (if any), the user message, the reply opener. */
    public String render(String problem) {
        if (!isChat()) return fill(plain, Map.of("problem", problem));
        List<Message> messages = new ArrayList<>();
        if (sections.containsKey("system")) messages.add(new Message("system", sections.get("system")));
        messages.add(new Message("user", fill(sections.get("user"), Map.of("problem", problem))));
        return renderChat(messages, true);
    }

    /** Messages in the chat format, optionally followed by the opener of the assistant's reply. */
    public String renderChat(List<Message> messages, boolean addGenerationPrompt) {
        if (!isChat()) throw new IllegalStateException("template " + name + " is not a chat template");
        StringBuilder out = new StringBuilder();
        for (Message m : messages) out.append(fill(sections.get("turn"), Map.of("role", m.role(), "content", m.content())));
        if (addGenerationPrompt) out.append(sections.get("generation"));
        return out.toString();
    }

    private static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 256);
        int last = 0;
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) continue;
            out.append(template, last, m.start()).append(value);
            last = m.end();
        }
        return out.append(template, last, template.length()).toString();
    }
}

package dev.herald.render;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.FieldError;
import dev.herald.render.CompiledNotice.CompiledLocale;
import dev.herald.render.CompiledNotice.Part;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.RawString;
import io.quarkus.qute.SectionBlock;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateException;
import io.quarkus.qute.TemplateNode;
import io.quarkus.qute.Variant;

/**
 * Compiles, checks and renders notice templates. The engine is Herald's own, not the application's:
 * a template sees only the data passed to it (no {@code inject:} or {@code config:} namespaces), and
 * strict rendering turns a reference to anything missing into an error instead of blank text.
 */
@ApplicationScoped
public class NoticeRenderer {

    static final List<String> NOTICE_PROPERTIES = List.of("id", "name");

    /**
     * Title and body bytes a push may carry: FCM and APNs take payloads of 4096 bytes, and the rest of
     * Herald's payload (its JSON, the notice and delivery ids) takes under 400.
     */
    public static final int PUSH_TEXT_LIMIT = 3_600;

    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n\\t]+");

    private static final HtmlEscaper ESCAPER = new HtmlEscaper(List.of(Variant.TEXT_HTML));

    private final Engine engine = Engine.builder()
            .addDefaults()
            .addResultMapper(ESCAPER)
            .strictRendering(true)
            .removeStandaloneLines(true)
            .build();

    /** Every problem in a notice's templates, each named by its field path, or an empty list. */
    public List<FieldError> check(Map<String, LocaleTemplate> templates, List<String> variables) {
        List<FieldError> errors = new ArrayList<>();
        for (Map.Entry<String, LocaleTemplate> entry : templates.entrySet()) {
            String path = "templates." + entry.getKey();
            LocaleTemplate template = entry.getValue();
            Map<String, List<String>> plainRoots = Map.of("customer", Recipient.CUSTOMER_PROPERTIES, "notice",
                    NOTICE_PROPERTIES, "vars", variables);
            Map<String, String> sections = sectionsOf(template.sections());
            Map<String, List<String>> bodyRoots = new LinkedHashMap<>(plainRoots);
            bodyRoots.put("sections", List.copyOf(sections.keySet()));
            checkOne(path + ".subject", template.subject(), Variant.TEXT_PLAIN, plainRoots, errors);
            sections.forEach((name, text) -> checkOne(path + ".sections." + name, text, Variant.TEXT_PLAIN, plainRoots,
                    errors));
            checkOne(path + ".html", template.html(), Variant.TEXT_HTML, bodyRoots, errors);
            checkOne(path + ".text", template.text(), Variant.TEXT_PLAIN, bodyRoots, errors);
            if (template.push() != null) {
                checkOne(path + ".push.title", template.push().title(), Variant.TEXT_PLAIN, plainRoots, errors);
                checkOne(path + ".push.body", template.push().body(), Variant.TEXT_PLAIN, plainRoots, errors);
            }
        }
        if (errors.isEmpty()) {
            trialRender(templates, variables, errors);
        }
        return errors;
    }

    public CompiledNotice compile(long noticeId, String noticeName, Map<String, LocaleTemplate> templates,
            String fallbackLocale) {
        Map<String, CompiledLocale> locales = new LinkedHashMap<>();
        templates.forEach((tag, template) -> {
            Map<String, Part> sections = new LinkedHashMap<>();
            sectionsOf(template.sections()).forEach((name, text) -> sections.put(name, part(text)));
            LocaleTemplate.Push push = template.push();
            locales.put(tag.toLowerCase(Locale.ROOT), new CompiledLocale(tag, part(template.subject()), sections,
                    parse(template.html(), Variant.TEXT_HTML), parse(template.text(), Variant.TEXT_PLAIN),
                    push == null ? null : part(push.title()), push == null ? null : part(push.body())));
        });
        return new CompiledNotice(noticeId, noticeName, Map.copyOf(locales), fallbackLocale);
    }

    public RenderedEmail render(CompiledNotice notice, Recipient recipient) {
        CompiledLocale locale = notice.forLocale(recipient.locale());
        Map<String, Object> data = dataOf(notice, recipient);
        String subject = oneLine(textOf(locale.subject(), data));
        Map<String, Object> textSections = new LinkedHashMap<>();
        Map<String, Object> htmlSections = new LinkedHashMap<>();
        locale.sections().forEach((name, part) -> {
            String text = textOf(part, data);
            textSections.put(name, text);
            htmlSections.put(name, part.isConstant() ? part.constantHtml() : new RawString(ESCAPER.map(text, null)));
        });
        data.put("sections", htmlSections);
        String html = locale.html().render(data);
        data.put("sections", textSections);
        return new RenderedEmail(locale.locale(), subject, html, locale.text().render(data));
    }

    /** The push text for one customer; title and body are one line each, as a lock screen shows them. */
    public RenderedPush renderPush(CompiledNotice notice, Recipient recipient) {
        CompiledLocale locale = notice.forLocale(recipient.locale());
        if (locale.pushTitle() == null) {
            throw new IllegalStateException("Notice " + notice.noticeId() + " has no push template for " + locale.locale());
        }
        Map<String, Object> data = dataOf(notice, recipient);
        return new RenderedPush(locale.locale(), oneLine(textOf(locale.pushTitle(), data)),
                textOf(locale.pushBody(), data).strip());
    }

    private static Map<String, Object> dataOf(CompiledNotice notice, Recipient recipient) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("customer", recipient.customerData());
        data.put("notice", Map.of("id", notice.noticeId(), "name", notice.noticeName()));
        data.put("vars", recipient.vars() == null ? Map.of() : recipient.vars());
        return data;
    }

    private static String textOf(Part part, Map<String, Object> data) {
        return part.isConstant() ? part.constantText() : part.template().render(data);
    }

    private Part part(String content) {
        Template template = parse(content, Variant.TEXT_PLAIN);
        if (!template.getExpressions().isEmpty()) {
            return new Part(template, null, null);
        }
        String text = template.render();
        return new Part(template, text, new RawString(ESCAPER.map(text, null)));
    }

    /** A subject or a name goes into a header: a line break in it could smuggle in headers of its own. */
    public static String oneLine(String text) {
        return LINE_BREAKS.matcher(text).replaceAll(" ").strip();
    }

    private Template parse(String content, String contentType) {
        return engine.parse(content, Variant.forContentType(contentType));
    }

    private void checkOne(String path, String content, String contentType, Map<String, List<String>> roots,
            List<FieldError> errors) {
        Template template;
        try {
            template = parse(content, contentType);
        } catch (TemplateException e) {
            errors.add(new FieldError(path, "does not parse: " + describe(e)));
            return;
        }
        Set<String> aliases = aliasesIn(template);
        for (Expression expression : template.getExpressions()) {
            if (expression.isLiteral() || expression.getParts().isEmpty()) {
                continue;
            }
            String root = expression.getParts().get(0).getName();
            List<String> properties = roots.get(root);
            if (properties == null) {
                if (!isAlias(root, aliases)) {
                    errors.add(new FieldError(path, lineOf(expression) + "unknown variable '" + root + "' in {"
                            + expression.toOriginalString() + "}; known: " + new TreeSet<>(roots.keySet())));
                }
                continue;
            }
            if (expression.getParts().size() > 1) {
                String property = expression.getParts().get(1).getName();
                if (!expression.getParts().get(1).isVirtualMethod() && !properties.contains(property)) {
                    errors.add(new FieldError(path, lineOf(expression) + "unknown variable '" + root + "." + property
                            + "'; " + root + " has " + properties));
                }
            }
        }
    }

    /** Renders every template once with a full sample customer, to catch what only shows at render time. */
    private void trialRender(Map<String, LocaleTemplate> templates, List<String> variables, List<FieldError> errors) {
        Map<String, Object> vars = new LinkedHashMap<>();
        variables.forEach(v -> vars.put(v, "sample " + v));
        Recipient sample = new Recipient("sample-id", "sample@example.com", "Sample Customer", "en", "US", "CA",
                List.of("sample"), Map.of("sample", "value"), vars);
        try {
            CompiledNotice notice = compile(0, "sample", templates, templates.keySet().iterator().next());
            for (Map.Entry<String, LocaleTemplate> locale : templates.entrySet()) {
                Recipient recipient = withLocale(sample, locale.getKey());
                render(notice, recipient);
                if (locale.getValue().push() != null) {
                    RenderedPush push = renderPush(notice, recipient);
                    int bytes = (push.title() + push.body()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                    if (bytes > PUSH_TEXT_LIMIT) {
                        errors.add(new FieldError("templates." + locale.getKey() + ".push", "renders to " + bytes
                                + " bytes of text for a sample customer; a push payload holds at most 4096 bytes, so"
                                + " title and body together may take " + PUSH_TEXT_LIMIT));
                    }
                }
            }
        } catch (TemplateException e) {
            errors.add(new FieldError("templates", "fails to render for a sample customer: " + describe(e)));
        }
    }

    private static Recipient withLocale(Recipient r, String locale) {
        return new Recipient(r.id(), r.email(), r.displayName(), locale, r.country(), r.region(), r.tags(),
                r.attributes(), r.vars());
    }

    /** Names that sections bind, such as the item of {#for item in list} or the it of {#each}. */
    private static Set<String> aliasesIn(Template template) {
        Set<String> aliases = new HashSet<>();
        aliases.add("it");
        for (TemplateNode node : template.findNodes(TemplateNode::isSection)) {
            for (SectionBlock block : node.asSection().getBlocks()) {
                block.parameters.forEach((key, value) -> {
                    aliases.add(key);
                    aliases.add(value);
                });
            }
        }
        return aliases;
    }

    private static boolean isAlias(String root, Set<String> aliases) {
        return aliases.contains(root) || aliases.stream().anyMatch(a -> root.startsWith(a + "_"));
    }

    private static String lineOf(Expression expression) {
        return "line " + expression.getOrigin().getLine() + ": ";
    }

    private static String describe(TemplateException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }

    private static Map<String, String> sectionsOf(LocaleTemplate.Sections s) {
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("whatHappened", s.whatHappened());
        sections.put("informationInvolved", s.informationInvolved());
        sections.put("whatWeAreDoing", s.whatWeAreDoing());
        sections.put("whatYouCanDo", s.whatYouCanDo());
        sections.put("contact", s.contact());
        return sections;
    }
}

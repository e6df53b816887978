package dev.herald.render;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.FieldError;
import dev.herald.render.CompiledNotice.CompiledLocale;
import dev.herald.render.CompiledNotice.Part;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Expression;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.IfSectionHelper;
import io.quarkus.qute.SetSectionHelper;
import io.quarkus.qute.WhenSectionHelper;
import io.quarkus.qute.WithSectionHelper;
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
    /** What {@code breach.*} holds: the notice's breach facts (dev.herald.evidence.BreachData). */
    static final List<String> BREACH_PROPERTIES = List.of("dates", "discovered", "noticeDate", "organisation",
            "website", "contact", "remedy", "remedyMonths", "lawEnforcementDelay");

    /**
     * Title and body bytes a push may carry: FCM and APNs take payloads of 4096 bytes, and the rest of
     * Herald's payload (its JSON, the notice and delivery ids) takes under 400.
     */
    public static final int PUSH_TEXT_LIMIT = 3_600;

    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n\\t]+");
    /** A count as Qute reads a literal: 2000000, +2000000, 2000000L. */
    private static final Pattern LITERAL_COUNT = Pattern.compile("\\+?(\\d+)[lL]?");

    private static final HtmlEscaper ESCAPER = new HtmlEscaper(List.of(Variant.TEXT_HTML));

    /**
     * Only the sections a notice needs: conditions, loops, aliases. No {#eval} (it would run customer
     * data as template code), {#include} or {#insert}.
     */
    private final Engine engine = Engine.builder()
            .addDefaultValueResolvers()
            .addSectionHelpers(new IfSectionHelper.Factory(), new BoundedLoop(),
                    new WithSectionHelper.Factory(), new SetSectionHelper.Factory(),
                    new WhenSectionHelper.Factory())
            .addResultMapper(ESCAPER)
            .strictRendering(true)
            .removeStandaloneLines(true)
            .build();

    /** Items one loop may repeat over a count ({#for i in 100}): a template cannot blow up a message. */
    static final int MAX_LOOP = 100;
    /**
     * Loop iterations one render of one template may run, each value and section in an iteration
     * counting as one more (what Qute keeps for it until it writes). Nested loops multiply (100 × 100 ×
     * 100 × 100); this bounds the product wherever the counts come from (a literal, a {#let}, a
     * variable), to a few megabytes and milliseconds. Checked at every render ({@link RenderBudget}).
     */
    static final int MAX_LOOP_STEPS = 100_000;
    /** Rendered sizes, checked at every render: a subject within RFC 5322's line limit, bodies within reason. */
    static final int MAX_SUBJECT = 998;
    static final int MAX_TEXT = 1_000_000;
    static final int MAX_HTML = 2_000_000;

    /**
     * Every problem in a notice's templates, each named by its field path, or an empty list.
     *
     * @param breach the {@code breach.*} data per locale, keyed like {@code templates}
     */
    public List<FieldError> check(Map<String, LocaleTemplate> templates, List<String> variables,
            Map<String, Map<String, Object>> breach) {
        List<FieldError> errors = new ArrayList<>();
        for (Map.Entry<String, LocaleTemplate> entry : templates.entrySet()) {
            String path = "templates." + entry.getKey();
            LocaleTemplate template = entry.getValue();
            Map<String, List<String>> plainRoots = Map.of("customer", Recipient.CUSTOMER_PROPERTIES, "notice",
                    NOTICE_PROPERTIES, "vars", variables, "breach", BREACH_PROPERTIES);
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
            trialRender(templates, variables, breach, errors);
        }
        return errors;
    }

    /** The customer data a notice's templates read: the attributes and customer fields they name. */
    public record DataUsed(Set<String> attributes, Set<String> fields) {
    }

    public DataUsed dataUsed(Map<String, LocaleTemplate> templates) {
        Set<String> attributes = new TreeSet<>();
        Set<String> fields = new TreeSet<>();
        for (LocaleTemplate template : templates.values()) {
            List<String> contents = new ArrayList<>(List.of(template.subject(), template.html(), template.text()));
            contents.addAll(sectionsOf(template.sections()).values());
            if (template.push() != null) {
                contents.addAll(List.of(template.push().title(), template.push().body()));
            }
            for (String content : contents) {
                for (Expression expression : parse(content, Variant.TEXT_PLAIN).getExpressions()) {
                    List<Expression.Part> parts = expression.getParts();
                    if (parts.size() > 1 && parts.get(0).getName().equals("customer")) {
                        String field = parts.get(1).getName();
                        fields.add(field);
                        if (field.equals("attributes") && parts.size() > 2) {
                            attributes.add(parts.get(2).getName());
                        }
                    }
                }
            }
        }
        return new DataUsed(attributes, fields);
    }

    /**
     * @param breach the {@code breach.*} data per locale, keyed like {@code templates}
     * @param messageDate the date an email carries: the notice's dispatch, so that a message made again
     *        (a retry, the evidence's re-rendering) has the same bytes
     */
    public CompiledNotice compile(long noticeId, String noticeName, Map<String, LocaleTemplate> templates,
            String fallbackLocale, Map<String, Map<String, Object>> breach, java.time.Instant messageDate) {
        Map<String, CompiledLocale> locales = new LinkedHashMap<>();
        templates.forEach((tag, template) -> {
            Map<String, Part> sections = new LinkedHashMap<>();
            sectionsOf(template.sections()).forEach((name, text) -> sections.put(name, part(text)));
            LocaleTemplate.Push push = template.push();
            locales.put(tag.toLowerCase(Locale.ROOT), new CompiledLocale(tag, part(template.subject()), sections,
                    parse(template.html(), Variant.TEXT_HTML), parse(template.text(), Variant.TEXT_PLAIN),
                    push == null ? null : part(push.title()), push == null ? null : part(push.body()),
                    breach.getOrDefault(tag, Map.of())));
        });
        return new CompiledNotice(noticeId, noticeName, Map.copyOf(locales), fallbackLocale, messageDate);
    }

    public RenderedEmail render(CompiledNotice notice, Recipient recipient) {
        CompiledLocale locale = notice.forLocale(recipient.locale());
        Map<String, Object> data = dataOf(notice, locale, recipient);
        String subject = oneLine(textOf(locale.subject(), "subject", MAX_SUBJECT, data));
        Map<String, Object> textSections = new LinkedHashMap<>();
        Map<String, Object> htmlSections = new LinkedHashMap<>();
        locale.sections().forEach((name, part) -> {
            String text = textOf(part, "sections." + name, MAX_TEXT, data);
            textSections.put(name, text);
            htmlSections.put(name, part.isConstant() ? part.constantHtml() : new RawString(ESCAPER.map(text, null)));
        });
        data.put("sections", htmlSections);
        String html = bounded(locale.html(), "html", MAX_HTML, data);
        data.put("sections", textSections);
        return new RenderedEmail(locale.locale(), subject, html, bounded(locale.text(), "text", MAX_TEXT, data));
    }

    /**
     * Renders within a {@link RenderBudget}; a part past one fails like a template error: the notice is
     * refused, or paused, naming it.
     *
     * @param field the part's field within its locale's templates, as a request names it ("html")
     */
    private static String bounded(Template template, String field, int maxChars, Map<String, Object> data) {
        RenderBudget budget = new RenderBudget(field, maxChars);
        try {
            template.instance().data(data).setAttribute(RenderBudget.ATTRIBUTE, budget).consume(budget)
                    .toCompletableFuture().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        return budget.text();
    }

    /** The push text for one customer; title and body are one line each, as a lock screen shows them. */
    public RenderedPush renderPush(CompiledNotice notice, Recipient recipient) {
        CompiledLocale locale = notice.forLocale(recipient.locale());
        if (locale.pushTitle() == null) {
            throw new IllegalStateException("Notice " + notice.noticeId() + " has no push template for " + locale.locale());
        }
        Map<String, Object> data = dataOf(notice, locale, recipient);
        return new RenderedPush(locale.locale(), oneLine(textOf(locale.pushTitle(), "push.title", MAX_TEXT, data)),
                textOf(locale.pushBody(), "push.body", MAX_TEXT, data).strip());
    }

    private static Map<String, Object> dataOf(CompiledNotice notice, CompiledLocale locale, Recipient recipient) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("customer", recipient.customerData());
        data.put("notice", Map.of("id", notice.noticeId(), "name", notice.noticeName()));
        data.put("breach", locale.breach());
        data.put("vars", recipient.vars() == null ? Map.of() : recipient.vars());
        return data;
    }

    private static String textOf(Part part, String field, int maxChars, Map<String, Object> data) {
        return part.isConstant() ? part.constantText() : bounded(part.template(), field, maxChars, data);
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
        for (TemplateNode node : template.findNodes(TemplateNode::isSection)) {
            String count = node.asSection().getBlocks().get(0).parameters.get("iterable");
            // Every render checks counts; a literal one is refused here too, in a branch a sample may miss.
            Matcher literal = count == null ? null : LITERAL_COUNT.matcher(count);
            if (literal != null && literal.matches()
                    && new BigInteger(literal.group(1)).compareTo(BigInteger.valueOf(MAX_LOOP)) > 0) {
                errors.add(new FieldError(path, "line " + node.getOrigin().getLine() + ": a loop repeats " + count
                        + " times; at most " + MAX_LOOP));
            } else if (count != null && count.startsWith("customer.") && !count.startsWith("customer.tags")) {
                // A customer's single values are not lists; a number among them would let data decide the size.
                errors.add(new FieldError(path, "line " + node.getOrigin().getLine() + ": a loop over " + count
                        + "; loops may run over customer.tags, a variable or a count of at most " + MAX_LOOP));
            }
        }
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
                    continue;
                }
                String beyond = beyondValue(expression, root, property);
                if (beyond != null) {
                    errors.add(new FieldError(path, lineOf(expression) + beyond));
                }
            }
        }
    }

    /**
     * The data model, checked where it is known: customer fields, attribute values (text, numbers,
     * true or false: {@link dev.herald.customer.CustomerInput}), notice fields and sections are single
     * values, so {customer.attributes.plan.nope} can never render; only methods such as .or(…) apply.
     */
    private static String beyondValue(Expression expression, String root, String property) {
        int valueAt = switch (root) {
            case "customer" -> property.equals("tags") ? -1 : property.equals("attributes") ? 3 : 2;
            case "notice", "sections" -> 2;
            case "breach" -> property.equals("contact") ? 3 : 2;
            default -> -1; // vars hold what the affected-account list gives: only a real audience tells
        };
        List<Expression.Part> parts = expression.getParts();
        for (int i = valueAt; valueAt > 0 && i < parts.size(); i++) {
            if (!parts.get(i).isVirtualMethod() && !parts.get(i).getName().equals("orEmpty")) {
                String value = parts.subList(0, i).stream().map(Expression.Part::getName)
                        .collect(java.util.stream.Collectors.joining("."));
                return "'" + value + "' is a single value (text, a number or true/false); it has no property '"
                        + parts.get(i).getName() + "' in {" + expression.toOriginalString() + "}";
            }
        }
        return null;
    }

    /** Renders every template once with a full sample customer, to catch what only shows at render time. */
    private void trialRender(Map<String, LocaleTemplate> templates, List<String> variables,
            Map<String, Map<String, Object>> breach, List<FieldError> errors) {
        String path = "templates";
        try {
            CompiledNotice notice = compile(0, "sample", templates, templates.keySet().iterator().next(), breach,
                    java.time.Instant.now());
            for (Map.Entry<String, LocaleTemplate> locale : templates.entrySet()) {
                path = "templates." + locale.getKey();
                Recipient sample = sample(variables, locale.getKey());
                render(notice, sample);
                if (locale.getValue().push() != null) {
                    RenderedPush push = renderPush(notice, sample);
                    int bytes = (push.title() + push.body()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                    if (bytes > PUSH_TEXT_LIMIT) {
                        errors.add(new FieldError(path + ".push", "renders to " + bytes
                                + " bytes of text for a sample customer; a push payload holds at most 4096 bytes, so"
                                + " title and body together may take " + PUSH_TEXT_LIMIT));
                    }
                }
            }
        } catch (RenderBudget.Exceeded e) {
            errors.add(new FieldError(path + "." + e.part, e.problem));
        } catch (TemplateException e) {
            errors.add(new FieldError("templates", "fails to render for a sample customer: " + describe(e)));
        }
    }

    /** Each locale's email, keyed by its tag, for a made-up customer with an attribute and every variable. */
    public Map<String, RenderedEmail> samples(CompiledNotice notice, List<String> variables) {
        Map<String, RenderedEmail> samples = new LinkedHashMap<>();
        for (CompiledLocale locale : notice.locales().values()) {
            samples.put(locale.locale(), render(notice, sample(variables, locale.locale())));
        }
        return samples;
    }

    private static Recipient sample(List<String> variables, String locale) {
        Map<String, Object> vars = new LinkedHashMap<>();
        variables.forEach(v -> vars.put(v, "sample " + v));
        return new Recipient("sample-id", "sample@example.com", "Sample Customer", locale, "US", "CA",
                List.of("sample"), Map.of("sample", "value"), vars);
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

    /** A template error on one line, naming the kinds of values a template author knows rather than Java's. */
    public static String describe(TemplateException e) {
        String message = e.getMessage() == null ? "the template failed" : e.getMessage();
        for (Map.Entry<Pattern, String> kind : VALUE_KINDS.entrySet()) {
            message = kind.getKey().matcher(message).replaceAll(kind.getValue());
        }
        return message.replaceAll("\\s+", " ").strip();
    }

    private static final Map<Pattern, String> VALUE_KINDS = Map.of(
            Pattern.compile("\"?java\\.lang\\.String\"?"), "text",
            Pattern.compile("\"?java\\.lang\\.(Integer|Long|Double|Float|Short|Byte|Number)\"?|\"?java\\.math\\.Big\\w+\"?"), "a number",
            Pattern.compile("\"?java\\.lang\\.Boolean\"?"), "true/false",
            Pattern.compile("\"?java\\.util\\.[\\w.$]*(Map|AbsentAsEmpty)\"?|\"?dev\\.herald[\\w.$]*AbsentAsEmpty\"?"), "a map",
            Pattern.compile("\"?java\\.util\\.[\\w.$]*(List|Collection)\"?"), "a list");

    private static Map<String, String> sectionsOf(LocaleTemplate.Sections s) {
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("whatHappened", s.whatHappened());
        sections.put("informationInvolved", s.informationInvolved());
        sections.put("whatWeAreDoing", s.whatWeAreDoing());
        sections.put("whatYouCanDo", s.whatYouCanDo());
        sections.put("contact", s.contact());
        if (s.likelyConsequences() != null) {
            sections.put("likelyConsequences", s.likelyConsequences());
        }
        return sections;
    }
}

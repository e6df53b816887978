package dev.herald.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.herald.ops.FieldError;
import dev.herald.render.LocaleTemplate.Sections;
import io.quarkus.qute.TemplateException;

class NoticeRendererTest {

    private final NoticeRenderer renderer = new NoticeRenderer();

    private static Sections sections(String whatYouCanDo) {
        return new Sections("We were breached.", "Your {vars.exposed}.", "We fixed it.", whatYouCanDo,
                "security@example.com", null);
    }

    private static LocaleTemplate template(String html) {
        return new LocaleTemplate("Notice for {customer.displayName}", sections("Reset your password."), html,
                "Hello {customer.displayName}\n{sections.whatHappened}", null);
    }

    @Test
    void acceptsTemplatesThatUseKnownVariablesLoopsAndConditions() {
        LocaleTemplate ok = template("""
                <p>Hello {customer.displayName.or('customer')}</p>
                {#if customer.country == 'US'}<p>US only</p>{/if}
                <ul>{#for tag in customer.tags}<li>{tag} {tag_count}</li>{/for}</ul>
                {#each customer.tags}{it}{/each}
                <p>{sections.informationInvolved}</p><p>{customer.attributes.plan}</p>""");
        assertThat(renderer.check(Map.of("en", ok), List.of("exposed"), Map.of())).isEmpty();
    }

    @Test
    void refusesTemplatesThatDoNotParseOrNameUnknownVariables() {
        List<FieldError> errors = renderer.check(Map.of("en", template("<p>{#if customer.email}unclosed</p>")),
                List.of("exposed"), Map.of());
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("templates.en.html");
            assertThat(e.message()).startsWith("does not parse");
        });

        errors = renderer.check(Map.of("en", template("<p>{customer.nmae} {cardLast4} {sections.whatHapened}</p>")),
                List.of("exposed"), Map.of());
        assertThat(errors).extracting(FieldError::message).containsExactly(
                "line 1: unknown variable 'customer.nmae'; customer has [id, email, displayName, locale, country, region, tags, attributes]",
                "line 1: unknown variable 'cardLast4' in {cardLast4}; known: [breach, customer, notice, sections, vars]",
                "line 1: unknown variable 'sections.whatHapened'; sections has [whatHappened, informationInvolved, whatWeAreDoing, whatYouCanDo, contact]");

        errors = renderer.check(Map.of("fr", template("<p>ok</p>")), List.of(), Map.of());
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("templates.fr.sections.informationInvolved");
            assertThat(e.message()).contains("vars.exposed");
        });

        errors = renderer.check(Map.of("en", new LocaleTemplate("Hi {sections.contact}", sections("x"), "<p/>", "t", null)),
                List.of("exposed"), Map.of());
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("templates.en.subject"));
    }

    @Test
    void escapesValuesInHtmlButNotInTextAndKeepsTheSubjectOnOneLine() {
        Map<String, LocaleTemplate> templates = Map.of("en", template("<p>Hello {customer.displayName}</p>{sections.informationInvolved}"));
        CompiledNotice notice = renderer.compile(7, "n", templates, "en", Map.of(), java.time.Instant.EPOCH);
        Recipient evil = new Recipient("c1", "a@example.com", "<script>alert(1)</script>\r\nBcc: x@evil.example", "en",
                null, null, List.of(), Map.of(), Map.of("exposed", "<b>password</b>"));
        RenderedEmail email = renderer.render(notice, evil);
        assertThat(email.html()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>")
                .contains("Your &lt;b&gt;password&lt;/b&gt;.");
        assertThat(email.text()).startsWith("Hello <script>");
        assertThat(email.subject()).doesNotContain("\r").doesNotContain("\n")
                .isEqualTo("Notice for <script>alert(1)</script> Bcc: x@evil.example");
    }

    @Test
    void missingValuesPrintAsNothingAndCanBeReplaced() {
        LocaleTemplate template = new LocaleTemplate("s", sections("x"),
                "<p>[{customer.displayName.or('friend')}] [{customer.region}] {#if customer.region}R{#else}no region{/if} [{customer.attributes.plan}]</p>",
                "t", null);
        CompiledNotice notice = renderer.compile(1, "n", Map.of("en", template), "en", Map.of(), java.time.Instant.EPOCH);
        RenderedEmail email = renderer.render(notice, new Recipient("c", "c@example.com", null, null, null, null,
                List.of(), Map.of(), Map.of("exposed", "email")));
        assertThat(email.html()).isEqualTo("<p>[friend] [] no region []</p>");
    }

    @Test
    void picksTheExactLocaleThenTheLanguageThenTheFallback() {
        Map<String, LocaleTemplate> templates = Map.of(
                "en", new LocaleTemplate("en", sections("x"), "<p/>", "en", null),
                "fr", new LocaleTemplate("fr", sections("x"), "<p/>", "fr", null),
                "fr-CA", new LocaleTemplate("fr-CA", sections("x"), "<p/>", "fr-CA", null));
        CompiledNotice notice = renderer.compile(1, "n", templates, "en", Map.of(), java.time.Instant.EPOCH);
        assertThat(notice.forLocale("fr-ca").locale()).isEqualTo("fr-CA");
        assertThat(notice.forLocale("fr-BE").locale()).isEqualTo("fr");
        assertThat(notice.forLocale("ja").locale()).isEqualTo("en");
        assertThat(notice.forLocale(null).locale()).isEqualTo("en");
    }

    /** A guard, not a benchmark: a bomb is refused at once, without rendering what it asks for. */
    private static final Duration AT_ONCE = Duration.ofSeconds(2);

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {#for a in 100}{#for b in 100}{#for c in 100}{#for d in 100}xxxxxxxxxx{/for}{/for}{/for}{/for} | runs more than 100000 loop iterations by line 1 (counting each value and section in an iteration as one more); at most 100000
            {#for i in +2000000000}x{/for}                | line 1: a loop repeats +2000000000 times; at most 100
            {#for i in 2000000000L}x{/for}                | line 1: a loop repeats 2000000000L times; at most 100
            {#let n=2000000000}{#for i in n}x{/for}{/let} | repeats a loop 2000000000 times on line 1; a loop count is from 0 to at most 100
            {#let n=100}{#for i in n.plus(n)}x{/for}{/let} | repeats a loop 200 times on line 1; a loop count is from 0 to at most 100
            {#for i in -5}x{/for}                         | repeats a loop -5 times on line 1; a loop count is from 0 to at most 100
            {#for a in 100}{#for b in 100}{b}{b}{b}{b}{b}{b}{b}{b}{b}{b}{/for}{/for} | runs more than 100000 loop iterations by line 1 (counting each value and section in an iteration as one more); at most 100000
            """)
    void refusesTemplatesThatRepeatTooMuchAtOnce(String html, String problem) {
        List<FieldError> errors = assertTimeoutPreemptively(AT_ONCE,
                () -> renderer.check(Map.of("en", template(html)), List.of("exposed"), Map.of()));
        assertThat(errors).containsExactly(new FieldError("templates.en.html", problem));
    }

    @Test
    void refusesTextPastItsLimitWithoutKeepingIt() {
        String html = "{#for a in 100}{#for b in 100}" + "x".repeat(300) + "{/for}{/for}";
        List<FieldError> errors = assertTimeoutPreemptively(AT_ONCE,
                () -> renderer.check(Map.of("en", template(html)), List.of("exposed"), Map.of()));
        assertThat(errors).containsExactly(new FieldError("templates.en.html",
                "renders to 3000000 characters; at most 2000000 are allowed"));

        errors = renderer.check(Map.of("en", new LocaleTemplate("{#for i in 100}{customer.displayName}{/for}",
                sections("x"), "<p/>", "t", null)), List.of("exposed"), Map.of());
        assertThat(errors).containsExactly(new FieldError("templates.en.subject",
                "renders to 1500 characters; at most 998 are allowed"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {#for a in 100}{#for b in 100}{#for c in 100}{#for d in 100}xxxxxxxxxx{/for}{/for}{/for}{/for} | the html runs more than 100000 loop iterations by line 1 (counting each value and section in an iteration as one more); at most 100000
            {#for i in +2000000000}x{/for}                | the html repeats a loop 2000000000 times on line 1; a loop count is from 0 to at most 100
            {#for i in 2000000000L}x{/for}                | the html repeats a loop 2000000000 times on line 1; a loop count is from 0 to at most 100
            {#let n=2000000000}{#for i in n}x{/for}{/let} | the html repeats a loop 2000000000 times on line 1; a loop count is from 0 to at most 100
            """)
    void boundsEveryRenderAtDispatchEvenOfTemplatesNeverChecked(String html, String message) {
        CompiledNotice notice = renderer.compile(1, "n", Map.of("en", template(html)), "en", Map.of(),
                java.time.Instant.EPOCH);
        assertThatThrownBy(() -> assertTimeoutPreemptively(AT_ONCE, () -> renderer.render(notice, withVars(1))))
                .isInstanceOf(TemplateException.class).hasMessage(message);
    }

    @Test
    void boundsEveryRenderAtDispatchWhateverTheDataHolds() {
        Map<String, LocaleTemplate> templates = Map.of("en", template("<p>{#for i in vars.count}x{/for}</p>"));
        CompiledNotice notice = renderer.compile(1, "n", templates, "en", Map.of(), java.time.Instant.EPOCH);
        for (Object count : List.of(2_000_000_000, 2_000_000_000L)) {
            assertThatThrownBy(() -> assertTimeoutPreemptively(AT_ONCE, () -> renderer.render(notice, withVars(count))))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage("the html repeats a loop 2000000000 times on line 1; a loop count is from 0 to at most 100");
        }
        assertThatThrownBy(() -> assertTimeoutPreemptively(AT_ONCE, () -> renderer.render(notice, withVars("2000000000"))))
                .isInstanceOf(TemplateException.class).hasMessageContaining("not iterable");
        assertThat(renderer.render(notice, withVars(3)).html()).isEqualTo("<p>xxx</p>");

        CompiledNotice nested = renderer.compile(1, "n", Map.of("en", template(
                "{#for a in vars.count}{#for b in vars.count}{#for c in vars.count}x{/for}{/for}{/for}")), "en", Map.of(),
                java.time.Instant.EPOCH);
        assertThatThrownBy(() -> assertTimeoutPreemptively(AT_ONCE, () -> renderer.render(nested, withVars(100))))
                .isInstanceOf(TemplateException.class).hasMessageStartingWith("the html runs more than 100000 loop iterations");
    }

    @Test
    void rendersLoopsWithinTheBudget() {
        LocaleTemplate template = template("{#for a in 100}{#for b in 100}{b}{/for}{/for}"
                + "|{#for tag in customer.tags}{tag}{#else}{vars.exposed}{/for}");
        assertThat(renderer.check(Map.of("en", template), List.of("exposed"), Map.of())).isEmpty();
        CompiledNotice notice = renderer.compile(1, "n", Map.of("en", template), "en", Map.of(), java.time.Instant.EPOCH);
        String html = renderer.render(notice, withVars(5000)).html();
        assertThat(html).hasSize(19_200 + 5).endsWith("99100|5000");
    }

    private static Recipient withVars(Object count) {
        return new Recipient("c", "c@example.com", "C", "en", null, null, List.of(), Map.of(),
                Map.of("exposed", count, "count", count));
    }
}

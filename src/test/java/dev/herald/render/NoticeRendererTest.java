package dev.herald.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.ops.FieldError;
import dev.herald.render.LocaleTemplate.Sections;

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
}

package dev.herald.evidence;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How plainly an English notice reads: the Flesch reading ease of its text and the length of its
 * sentences, and whether "What You Can Do" gives the reader something concrete to do rather than
 * "remain vigilant". Findings are warnings, not refusals: a person decides.
 */
final class Clarity {

    /** Below this the text reads as "fairly difficult" or worse (Flesch: 60–70 is plain English). */
    static final double MIN_READING_EASE = 50;
    static final double MAX_WORDS_PER_SENTENCE = 25;

    private static final Pattern SENTENCE = Pattern.compile("[^.!?]+[.!?]*");
    private static final Pattern WORD = Pattern.compile("[A-Za-z][A-Za-z'-]*");
    private static final Pattern VOWEL_GROUPS = Pattern.compile("[aeiouy]+");
    private static final Pattern VAGUE = Pattern.compile(
            "\\b(remain|stay|be) (vigilant|alert|watchful|cautious)\\b|\\bexercise caution\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONCRETE = Pattern.compile("\\b(change|reset|choose|enable|turn on|call|contact|"
            + "freeze|place|request|review|check|update|sign in|log in|visit|report|enrol|enroll|activate|use|"
            + "cancel|replace|order|monitor your|set up)\\b|https?://|\\+?\\d[\\d ()-]{6,}", Pattern.CASE_INSENSITIVE);

    private Clarity() {
    }

    /** Warnings about the English text of one locale; {@code where} names it ("templates.en"). */
    static List<String> check(String where, String text, String whatYouCanDo) {
        List<String> warnings = new ArrayList<>();
        double[] measures = measure(text);
        if (measures[0] < MIN_READING_EASE) {
            warnings.add(where + ": the text reads as hard (Flesch reading ease " + Math.round(measures[0])
                    + ", below " + Math.round(MIN_READING_EASE) + "); use shorter sentences and plainer words");
        }
        if (measures[1] > MAX_WORDS_PER_SENTENCE) {
            warnings.add(where + ": sentences average " + Math.round(measures[1]) + " words; aim for at most "
                    + Math.round(MAX_WORDS_PER_SENTENCE));
        }
        boolean concrete = CONCRETE.matcher(whatYouCanDo).find();
        if (VAGUE.matcher(whatYouCanDo).find() && !concrete) {
            warnings.add(where + ".sections.whatYouCanDo: asks the reader to stay vigilant but names nothing to do;"
                    + " say what to do (change a password, place a fraud alert, call a number)");
        } else if (!concrete) {
            warnings.add(where + ".sections.whatYouCanDo: names no concrete action (change, reset, call, freeze, visit…)");
        }
        return warnings;
    }

    /** {Flesch reading ease, words per sentence}. */
    static double[] measure(String text) {
        int sentences = 0;
        int words = 0;
        int syllables = 0;
        Matcher sentence = SENTENCE.matcher(text);
        while (sentence.find()) {
            Matcher word = WORD.matcher(sentence.group());
            int before = words;
            while (word.find()) {
                words++;
                syllables += syllables(word.group().toLowerCase());
            }
            if (words > before) {
                sentences++;
            }
        }
        if (words == 0) {
            return new double[] { 100, 0 };
        }
        double perSentence = (double) words / sentences;
        return new double[] { 206.835 - 1.015 * perSentence - 84.6 * ((double) syllables / words), perSentence };
    }

    /** Vowel groups, less a silent final e: the usual estimate, good enough for a warning. */
    private static int syllables(String word) {
        Matcher groups = VOWEL_GROUPS.matcher(word);
        int count = 0;
        while (groups.find()) {
            count++;
        }
        if (word.endsWith("e") && !word.endsWith("le") && count > 1) {
            count--;
        }
        return Math.max(1, count);
    }
}

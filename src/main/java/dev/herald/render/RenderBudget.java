package dev.herald.render;

import static dev.herald.render.NoticeRenderer.MAX_LOOP;
import static dev.herald.render.NoticeRenderer.MAX_LOOP_STEPS;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.quarkus.qute.TemplateException;

/**
 * The budget of one render of one part (the subject, a section, the html…), checked as the render
 * goes, and the text it writes. Qute resolves a whole template before it writes a character, keeping
 * an entry per loop iteration and per value in it: the loop iterations ({@link BoundedLoop} charges
 * them) bound those, and so the memory and time of a render; the characters bound the text.
 */
final class RenderBudget implements Consumer<String> {

    /** The template-instance attribute under which the loops of a render find its budget. */
    static final String ATTRIBUTE = "dev.herald.render.budget";

    /** A limit a render reached: the part and the problem, so that a request can name the field. */
    static final class Exceeded extends TemplateException {
        private static final long serialVersionUID = 1L;

        final String part;
        final String problem;

        Exceeded(String part, String problem) {
            super("the " + part + " " + problem);
            this.part = part;
            this.problem = problem;
        }
    }

    private final String part;
    private final int maxChars;
    /** Joined once at the end: one copy of the text's exact size, where a growing buffer makes several. */
    private final List<String> pieces = new ArrayList<>();
    private long chars;
    private int loopSteps;

    RenderBudget(String part, int maxChars) {
        this.part = part;
        this.maxChars = maxChars;
    }

    /** Past the limit the text is no longer kept, only counted: the error tells how long it would be. */
    @Override
    public void accept(String piece) {
        chars += piece.length();
        if (chars <= maxChars) {
            pieces.add(piece);
        }
    }

    String text() {
        if (chars > maxChars) {
            throw new Exceeded(part, "renders to " + chars + " characters; at most " + maxChars + " are allowed");
        }
        return String.join("", pieces);
    }

    /** Refuses a count before the loop runs: Qute makes room for that many iterations first. */
    void checkCount(Object iterable, int line) {
        if (iterable instanceof Integer || iterable instanceof Long) {
            long count = ((Number) iterable).longValue();
            if (count < 0 || count > MAX_LOOP) {
                throw new Exceeded(part, "repeats a loop " + count + " times on line " + line
                        + "; a loop count is from 0 to at most " + MAX_LOOP);
            }
        }
    }

    /** @param steps the iteration and the values and sections in it */
    void iterate(int steps, int line) {
        loopSteps += steps;
        if (loopSteps > MAX_LOOP_STEPS) {
            throw new Exceeded(part, "runs more than " + MAX_LOOP_STEPS + " loop iterations by line " + line
                    + " (counting each value and section in an iteration as one more); at most " + MAX_LOOP_STEPS);
        }
    }
}

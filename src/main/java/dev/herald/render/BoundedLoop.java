package dev.herald.render;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import io.quarkus.qute.Evaluator;
import io.quarkus.qute.Expression;
import io.quarkus.qute.LoopSectionHelper;
import io.quarkus.qute.ResolutionContext;
import io.quarkus.qute.ResultNode;
import io.quarkus.qute.Scope;
import io.quarkus.qute.SectionBlock;
import io.quarkus.qute.SectionHelper;
import io.quarkus.qute.SectionHelper.SectionResolutionContext;
import io.quarkus.qute.SectionHelperFactory;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateNode;

/**
 * Qute's {#for} and {#each}, within the {@link RenderBudget} of the render: a count is refused before
 * the loop runs (Qute sizes a list by it first, so {#for i in 2000000000} would take gigabytes at
 * once), and each iteration is charged as it starts, so a render stops as soon as its loops, however
 * nested, go past the budget.
 */
final class BoundedLoop implements SectionHelperFactory<SectionHelper> {

    private final LoopSectionHelper.Factory loops = new LoopSectionHelper.Factory();

    @Override
    public List<String> getDefaultAliases() {
        return loops.getDefaultAliases();
    }

    @Override
    public ParametersInfo getParameters() {
        return loops.getParameters();
    }

    @Override
    public List<String> getBlockLabels() {
        return loops.getBlockLabels();
    }

    @Override
    public Scope initializeBlock(Scope outerScope, BlockInfo block) {
        return loops.initializeBlock(outerScope, block);
    }

    @Override
    public SectionHelper initialize(SectionInitContext context) {
        LoopSectionHelper loop = loops.initialize(context);
        int line = context.getOrigin().getLine();
        int steps = 1 + weight(context.getBlocks().get(0).nodes);
        return section -> {
            if (!(section.resolutionContext().getAttribute(RenderBudget.ATTRIBUTE) instanceof RenderBudget budget)) {
                throw new IllegalStateException("a notice template with a loop was rendered without a budget");
            }
            return loop.resolve(new Charged(section, budget, steps, line));
        };
    }

    /**
     * The values and sections in a block: what Qute keeps for each of its iterations. A nested loop's
     * are counted here and again for each of its own iterations: a bound, not a tally.
     */
    private static int weight(List<TemplateNode> nodes) {
        int weight = 0;
        for (TemplateNode node : nodes) {
            if (node.isSection()) {
                weight++;
                for (SectionBlock block : node.asSection().getBlocks()) {
                    weight += weight(block.nodes);
                }
            } else if (node.isExpression()) {
                weight++;
            }
        }
        return weight;
    }

    /** The loop's view of its section: the iterable is checked as it is evaluated, each iteration charged. */
    private static final class Charged implements SectionResolutionContext {
        private final SectionResolutionContext section;
        private final RenderBudget budget;
        private final int steps;
        private final Counted counted;

        Charged(SectionResolutionContext section, RenderBudget budget, int steps, int line) {
            this.section = section;
            this.budget = budget;
            this.steps = steps;
            this.counted = new Counted(section.resolutionContext(), budget, line);
        }

        @Override
        public CompletionStage<ResultNode> execute(SectionBlock block, ResolutionContext context) {
            if (block == null) {
                budget.iterate(steps, counted.line);
            }
            // The {#else} block runs in the loop's own context, where values are not counts.
            return section.execute(block, context == counted ? counted.context : context);
        }

        @Override
        public ResolutionContext resolutionContext() {
            return counted;
        }

        @Override
        public CompletionStage<Map<String, Object>> evaluate(Map<String, Expression> expressions) {
            return section.evaluate(expressions);
        }

        @Override
        public ResolutionContext newResolutionContext(Object data, Map<String, SectionBlock> extendingBlocks) {
            return section.newResolutionContext(data, extendingBlocks);
        }

        @Override
        public Map<String, Object> getParameters() {
            return section.getParameters();
        }
    }

    /** The loop's resolution context: the loop evaluates only its iterable through it. */
    private static final class Counted implements ResolutionContext {
        private final ResolutionContext context;
        private final RenderBudget budget;
        private final int line;

        Counted(ResolutionContext context, RenderBudget budget, int line) {
            this.context = context;
            this.budget = budget;
            this.line = line;
        }

        @Override
        public CompletionStage<Object> evaluate(Expression expression) {
            return context.evaluate(expression).thenApply(this::checked);
        }

        @Override
        public CompletionStage<Object> evaluate(String expression) {
            return context.evaluate(expression).thenApply(this::checked);
        }

        private Object checked(Object iterable) {
            budget.checkCount(iterable, line);
            return iterable;
        }

        @Override
        public ResolutionContext createChild(Object data, Map<String, SectionBlock> extendingBlocks) {
            return context.createChild(data, extendingBlocks);
        }

        @Override
        public Object getData() {
            return context.getData();
        }

        @Override
        public ResolutionContext getParent() {
            return context.getParent();
        }

        @Override
        public SectionBlock getExtendingBlock(String name) {
            return context.getExtendingBlock(name);
        }

        @Override
        public SectionBlock getCurrentExtendingBlock(String name) {
            return context.getCurrentExtendingBlock(name);
        }

        @Override
        public Object getAttribute(String key) {
            return context.getAttribute(key);
        }

        @Override
        public Template getTemplate() {
            return context.getTemplate();
        }

        @Override
        public Evaluator getEvaluator() {
            return context.getEvaluator();
        }
    }
}

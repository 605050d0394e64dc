package dev.isthmus.nn;

import java.util.Locale;

/** Keras-style model summary: one row per layer, then the totals. */
final class Summary {

    private Summary() {}

    static String of(Model model) {
        String[] head = {"Layer (type)", "Output Shape", "Param #"};
        int w0 = head[0].length(), w1 = head[1].length(), w2 = head[2].length();
        var rows = new java.util.ArrayList<String[]>();
        rows.add(new String[] {"input (Input)", model.inputShape().toString(), "0"});
        for (Layer l : model.layers()) {
            rows.add(new String[] {l.name() + " (" + l.type() + ")", l.outputShape().toString(),
                    String.format(Locale.ROOT, "%,d", l.parameterCount() + l.nonTrainableCount())});
        }
        for (String[] r : rows) {
            w0 = Math.max(w0, r[0].length());
            w1 = Math.max(w1, r[1].length());
            w2 = Math.max(w2, r[2].length());
        }
        String format = "%-" + (w0 + 2) + "s%-" + (w1 + 2) + "s%" + w2 + "s%n";
        int width = w0 + w1 + w2 + 4;
        StringBuilder b = new StringBuilder();
        b.append("=".repeat(width)).append('\n');
        b.append(String.format(Locale.ROOT, format, (Object[]) head));
        b.append("-".repeat(width)).append('\n');
        for (String[] r : rows) {
            b.append(String.format(Locale.ROOT, format, (Object[]) r));
        }
        b.append("=".repeat(width)).append('\n');
        long trainable = model.parameterCount(), fixed = model.nonTrainableCount();
        b.append(String.format(Locale.ROOT, "Total params: %,d%n", trainable + fixed));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", fixed));
        return b.toString();
    }
}

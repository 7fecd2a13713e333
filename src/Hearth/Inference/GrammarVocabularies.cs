using System.Runtime.CompilerServices;
using Hearth.Sampling;

namespace Hearth.Inference;

/// <summary>One <see cref="GrammarVocabulary"/> per model, built on first use (it indexes every token's bytes).</summary>
internal static class GrammarVocabularies
{
    private static readonly ConditionalWeakTable<Model, GrammarVocabulary> Cache = new();

    public static GrammarVocabulary For(Model model) =>
        Cache.GetValue(model, static m => GrammarVocabulary.FromTokenizer(m.Tokenizer));
}

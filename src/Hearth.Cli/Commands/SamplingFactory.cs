using Hearth.Inference;
using Hearth.Sampling;
using Hearth.Tokenization;

namespace Hearth.Cli.Commands;

/// <summary>Builds the token picker from the CLI's sampling flags: the sampler chain, optionally grammar-constrained.</summary>
internal static class SamplingFactory
{
    public static TextGenerator.TokenPicker Create(Tokenizer tokenizer, int vocabSize, SamplerOptions options)
    {
        if (options.Temperature <= 0 && options.Grammar is null && options.LogitBias is null
            && options.RepeatPenalty == 1 && options.PresencePenalty == 0 && options.FrequencyPenalty == 0)
        {
            return TextGenerator.Greedy;
        }
        var vocabulary = options.Grammar is null ? null : GrammarVocabulary.FromTokenizer(tokenizer);
        var sampler = new Sampler(options, vocabSize, vocabulary);
        int stop = tokenizer.EosId >= 0 ? tokenizer.EosId : tokenizer.EotId;
        return logits =>
        {
            // A grammar that can accept nothing more ends the output as end-of-sequence would.
            if (options.Grammar != null && sampler.GrammarComplete && stop >= 0) return stop;
            int token = sampler.Sample(logits);
            sampler.Accept(token);
            return token;
        };
    }

    /// <summary>Reads --grammar (GBNF) or --json-schema files into a grammar; null when neither is given.</summary>
    public static Grammar? LoadGrammar(string? gbnfPath, string? schemaPath)
    {
        if (gbnfPath != null && schemaPath != null) throw new ArgumentException("Give either --grammar or --json-schema, not both.");
        if (gbnfPath != null) return Grammar.Parse(File.ReadAllText(gbnfPath));
        if (schemaPath != null) return Grammar.FromJsonSchema(File.ReadAllText(schemaPath));
        return null;
    }
}

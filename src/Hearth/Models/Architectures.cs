namespace Hearth.Models;

/// <summary>The architectures Hearth runs, by <c>general.architecture</c>.</summary>
internal static class Architectures
{
    private static readonly ArchitectureTraits[] All =
    [
        Llama.Traits, Qwen2.Traits, Qwen3.Traits, Phi3.Traits, Gemma2.Traits, Gemma3.Traits, Gemma4.Traits, DeepSeek2.Traits,
        Qwen3Moe.Traits, SmolLm3.Traits, Mistral3.Traits, GptOss.Traits,
        Lfm2.Traits, Lfm2Moe.Traits, Qwen35.Traits, Qwen35Moe.Traits, Qwen3Next.Traits, GraniteHybrid.Traits, Bert.Traits, Bert.NomicTraits, Bert.NomicMoeTraits, JinaBertV2.Traits, ModernBert.Traits,
    ];

    public static IEnumerable<string> Names
    {
        get
        {
            foreach (var a in All) yield return a.Name;
        }
    }

    public static ArchitectureTraits Get(string name)
    {
        foreach (var a in All)
        {
            if (a.Name == name) return a;
        }
        throw new NotSupportedException(
            $"Model architecture '{name}' is not supported; supported architectures: {string.Join(", ", Names)}.");
    }
}

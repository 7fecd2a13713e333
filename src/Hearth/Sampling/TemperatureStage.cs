namespace Hearth.Sampling;

/// <summary>Divides the logits by the temperature (llama.cpp's <c>llama_sampler_temp</c>); used only when it is &gt; 0.</summary>
internal sealed class TemperatureStage(float temperature) : ISamplerStage
{
    public void Apply(CandidateBuffer c)
    {
        if (temperature == 1f) return;
        for (int i = 0; i < c.Count; i++) c.Logits[i] /= temperature;
        c.ProbsValid = false;
    }
}

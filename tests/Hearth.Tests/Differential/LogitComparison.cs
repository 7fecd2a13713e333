namespace Hearth.Tests.Differential;

/// <summary>Logit comparisons shared by the differential tests.</summary>
internal static class LogitComparison
{
    /// <summary>max - min: the scale tolerances are stated against.</summary>
    public static float Range(float[] logits)
    {
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in logits) { min = MathF.Min(min, v); max = MathF.Max(max, v); }
        return max - min;
    }

    /// <summary>Asserts max |expected - actual| ≤ tolerance (NaN fails); returns that max.</summary>
    public static float AssertClose(float[] expected, float[] actual, float tolerance, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        float worstDiff = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float d = MathF.Abs(expected[i] - actual[i]);
            if (!(d <= worstDiff)) { worst = i; worstDiff = d; } // NaN counts as worst
        }
        Assert.True(worstDiff <= tolerance,
            $"{where}: logit {worst} is {actual[worst]} in Hearth, {expected[worst]} in llama.cpp (|diff| {worstDiff:E2} > {tolerance:E2})");
        return worstDiff;
    }
}

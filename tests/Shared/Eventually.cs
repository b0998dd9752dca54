using System.Diagnostics;

namespace Overlay.Testing;

/// <summary>Polls a condition with a generous time-out, for tests that watch live nodes.</summary>
internal static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition())
                return true;
            await Task.Delay(20);
        }

        return condition();
    }
}

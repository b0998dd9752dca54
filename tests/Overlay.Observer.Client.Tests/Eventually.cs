using System.Diagnostics;

namespace Overlay.Observer.Client.Tests;

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

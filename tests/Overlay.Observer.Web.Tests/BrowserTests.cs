using System.Globalization;
using Microsoft.Playwright;
using NUnit.Framework;
using Overlay.Observer.Web.Demo;

namespace Overlay.Observer.Web.Tests;

/// <summary>
/// The page in a real headless Chromium against the demo overlay: the paper's Fig. 6 workflow by clicking —
/// limit D's upload and watch link D→E follow, terminate B and watch its links go.
/// </summary>
[NonParallelizable]
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly float Patience = 20_000;

    [Test]
    public async Task The_page_shows_the_overlay_and_its_controls_work()
    {
        Assert.That(File.Exists(Chromium), Is.True, $"No browser at {Chromium}: install Debian's chromium package (.ci/run does).");

        // Chromium writes its profile and caches here, not into the home folder.
        var profile = Directory.CreateTempSubdirectory("overlay-dashboard-browser-");
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", profile.FullName);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", profile.FullName);
        await using var host = await DashboardHost.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            ],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard.png");
        try
        {
            await page.GotoAsync(host.Address.ToString());

            // Seven nodes and nine links, drawn from the live stream.
            await WaitForAsync(page, "document.querySelectorAll('#graph [data-node]').length === 7 && document.querySelectorAll('#graph [data-link]').length === 9");
            Assert.That(await page.Locator("#graph [data-node][data-alive=true]").CountAsync(), Is.EqualTo(DemoOverlay.Names.Length));
            // D->E carries A's whole stream before the limit (400 KB/s when the machine keeps up).
            await WaitForAsync(page, """Number(document.querySelector('#graph [data-link="D->E"]').dataset.rate) > 100000""");

            // Limit D's upload to 30 KB/s by clicking, and see the acknowledgement.
            await page.SelectOptionAsync("#bw-node", "D");
            await page.SelectOptionAsync("#bw-scope", "upload");
            await page.FillAsync("#bw-rate", "30");
            await page.ClickAsync("#bw-apply");
            await WaitForAsync(page, "document.getElementById('action-result').dataset.ok === 'true'");
            Assert.That(await page.TextContentAsync("#action-result"), Does.Contain("D acknowledged: upload bandwidth 30 KB/s"));

            // Link D->E's label falls to about 30 KB/s. Nodes measure over 1 s windows, which hold four or eight
            // 5 KB messages at this rate (21 or 42 KB/s), so the test averages the labels of several windows.
            await WaitForAsync(page, """Number(document.querySelector('#graph [data-link="D->E"]')?.dataset.rate) < 50000""");
            var labels = new List<double>();
            for (var i = 0; i < 6; i++)
            {
                await Task.Delay(1000);
                var label = await page.TextContentAsync("#graph [data-link-label=\"D->E\"]");
                Assert.That(label, Does.Match(@"^\d+\.\d KB/s$"));
                labels.Add(double.Parse(label!.Split(' ')[0], CultureInfo.InvariantCulture));
            }

            Assert.That(labels.Average(), Is.InRange(22.0, 38.0), string.Join(", ", labels));
            Assert.That(await page.TextContentAsync("#graph [data-node=D]"), Does.Contain("up ≤30.0 KB/s"));

            // The chart follows the link clicked in the graph.
            await page.ClickAsync("#graph [data-link=\"D->E\"] text.rate");
            await WaitForAsync(page, "document.getElementById('chart').dataset.chartLink === 'D->E' && Number(document.getElementById('chart').dataset.samples) > 1"
                + " && Number(document.getElementById('chart').dataset.last) < 50000");

            // Terminate B: it turns dead and its three links disappear; A reports losing it in the trace log.
            await page.SelectOptionAsync("#kill-node", "B");
            await page.ClickAsync("#kill-apply");
            await WaitForAsync(page, "document.getElementById('action-result').dataset.ok === 'true' && document.getElementById('action-result').textContent.includes('B acknowledged')");
            await WaitForAsync(page, """
                document.querySelector('#graph [data-node="B"]').dataset.alive === 'false'
                && document.querySelectorAll('#graph [data-link^="B->"], #graph [data-link$="->B"]').length === 0
                && document.querySelectorAll('#graph [data-link]').length === 6
                """);
            await WaitForAsync(page, "document.querySelectorAll('#trace-log .trace[data-node=\"A\"]').length > 0");

            // Filtering the trace log by node hides every other node's lines.
            await page.SelectOptionAsync("#trace-node", "C");
            Assert.That(await page.Locator("#trace-log .trace:not([data-node=\"C\"])").CountAsync(), Is.Zero);
            await page.SelectOptionAsync("#trace-node", "");
            Assert.That(await page.Locator("#trace-log .trace[data-node=\"A\"]").CountAsync(), Is.GreaterThan(0));
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
            TestContext.AddTestAttachment(screenshot, "The dashboard at the end of the test");
            await browser.CloseAsync();
            profile.Delete(recursive: true);
        }
    }

    private static Task WaitForAsync(IPage page, string condition) =>
        page.WaitForFunctionAsync(condition, null, new PageWaitForFunctionOptions { Timeout = Patience, PollingInterval = 100 });
}

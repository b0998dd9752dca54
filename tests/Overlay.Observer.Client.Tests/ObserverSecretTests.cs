using NUnit.Framework;
using Overlay.Buffers;
using Overlay.Wire;

namespace Overlay.Observer.Client.Tests;

/// <summary>An observer with a shared secret accepts only nodes that prove the same secret.</summary>
[Category("Integration")]
public class ObserverSecretTests
{
    [Test, CancelAfter(60_000)]
    public async Task ObserverWithASecret_AcceptsNodesWithIt_RefusesOthers()
    {
        await using var observer = new OverlayObserver(new ObserverOptions { SharedSecret = "s3cret", StatusInterval = TimeSpan.FromMilliseconds(250) });
        await observer.StartAsync();
        var pool = new MessagePool();
        var nodes = new Dictionary<string, OverlayNode>();
        try
        {
            foreach (var (name, secret) in new[] { ("right", "s3cret"), ("wrong", "other"), ("none", (string?)null) })
            {
                var node = new OverlayNode(new OverlayNodeOptions { Pool = pool, ObserverEndPoint = observer.EndPoint, SharedSecret = secret }, new Recorder());
                await node.StartAsync();
                nodes[name] = node;
            }

            Assert.That(await Eventually.TrueAsync(() => nodes["right"].IsObserverConnected, TimeSpan.FromSeconds(20)), Is.True, "the node with the secret connected");
            Assert.That(
                await Eventually.TrueAsync(() => observer.GetNode(nodes["right"].Id)?.Status is not null, TimeSpan.FromSeconds(20)),
                Is.True,
                "the observer polls the node with the secret");
            // Both others retry with back-off; each refusal is counted, so two of them are a lower bound.
            Assert.That(
                await Eventually.TrueAsync(() => observer.RejectedConnections.GetValueOrDefault(WireError.AuthenticationFailed) >= 2, TimeSpan.FromSeconds(20)),
                Is.True,
                "refusals: " + string.Join(", ", observer.RejectedConnections));
            Assert.That(nodes["wrong"].IsObserverConnected, Is.False);
            Assert.That(nodes["none"].IsObserverConnected, Is.False);
            Assert.That(nodes["wrong"].ObserverConnections, Is.Zero);
            Assert.That(nodes["none"].ObserverConnections, Is.Zero);
            Assert.That(observer.GetNodes().Select(n => n.Id), Is.EqualTo(new[] { nodes["right"].Id }), "only the node with the secret is known");
        }
        finally
        {
            await Task.WhenAll(nodes.Values.Select(n => n.StopAsync()));
        }

        Assert.That(pool.Outstanding, Is.Zero);
    }
}

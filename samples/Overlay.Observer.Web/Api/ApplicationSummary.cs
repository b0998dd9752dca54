namespace Overlay.Observer.Web.Api;

/// <summary>One application's topology in a <see cref="StatusSnapshot"/>.</summary>
/// <param name="Id">The application.</param>
/// <param name="Sources">Display names of the nodes running its source.</param>
/// <param name="Links">Ids ("From->To") of the links that carried it.</param>
internal sealed record ApplicationSummary(int Id, IReadOnlyList<string> Sources, IReadOnlyList<string> Links);

package io.mlproof.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (set by the build), "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"mlproof " + (version == null ? "dev" : version)};
  }
}

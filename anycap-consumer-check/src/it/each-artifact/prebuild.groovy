// Writes a module per library that the installed anycap-bom manages (anycap-client, ...), each
// depending on that library alone, and a module "all-together" depending on every one of them.
def bom = new File(localRepositoryPath.toString(), "ai/anycap/anycap-bom/${anycapVersion}/anycap-bom-${anycapVersion}.pom")
def libraries = new groovy.xml.XmlSlurper().parse(bom).dependencyManagement.dependencies.dependency
    .findAll { it.groupId.text() == 'ai.anycap' && it.type.text() in ['', 'jar'] }
    .collect { it.artifactId.text() }
if (libraries.isEmpty()) {
  throw new IllegalStateException("anycap-bom (${bom}) manages no library")
}
def missing = libraries.findAll {
  !new File(localRepositoryPath.toString(), "ai/anycap/${it}/${anycapVersion}/${it}-${anycapVersion}.jar").isFile()
}
if (missing) {
  throw new IllegalStateException("anycap-bom manages ${missing.join(', ')}, which this build did not install"
      + " for the consumer checks: add each to the dependencies of anycap-consumer-check/pom.xml")
}

def module = { String name, List<String> artifacts ->
  def dependencies = artifacts.collect {
    "    <dependency><groupId>ai.anycap</groupId><artifactId>${it}</artifactId></dependency>"
  }.join('\n')
  def dir = new File(basedir, name)
  dir.mkdirs()
  new File(dir, 'pom.xml').text = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.example.checks</groupId>
    <artifactId>each-artifact</artifactId>
    <version>1.0.0</version>
  </parent>
  <artifactId>${name}</artifactId>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
"""
}
libraries.each { module(it, [it]) }
module('all-together', libraries)

def aggregator = new File(basedir, 'pom.xml')
def modules = (libraries + 'all-together').collect { "    <module>${it}</module>" }.join('\n')
aggregator.text = aggregator.text.replace('    <!-- written by prebuild.groovy -->', modules)
println "Checking dependency convergence of ${libraries.join(', ')} one by one, and all together"
